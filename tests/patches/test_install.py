"""The runtime patches install only on the versions they were written for, and all go off with one setting."""
from __future__ import annotations

import importlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot import patches

ROOT = Path(__file__).resolve().parents[2]


def pinned() -> dict[str, str]:
    lines = (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines()
    return {m.group(1).lower(): m.group(2) for m in (re.match(r"^([A-Za-z0-9_.\-]+)==(\S+)", line) for line in lines) if m}


def test_every_patch_says_which_versions_it_was_written_for_and_they_are_the_pinned_ones() -> None:
    pins = pinned()
    for name in patches.PATCHES + ("flat_predict",):
        written_for = importlib.import_module(f"bot.patches.{name}").WRITTEN_FOR
        assert written_for, name
        for package, version in written_for.items():
            if package == "python":
                assert sys.version.startswith(version), (name, version)
            else:
                assert pins[package.lower()] == version, f"{name} was written for {package} {version}, pinned {pins[package.lower()]}"


def test_a_version_other_than_the_one_written_for_is_a_mismatch() -> None:
    written_for = {"rasa": "3.6.21", "python": "3.10"}
    assert patches.version_mismatches(written_for, {"rasa": "3.6.21", "python": "3.10.14"}.get) == []
    wrong = patches.version_mismatches(written_for, {"rasa": "3.7.0", "python": "3.11.2"}.get)
    assert wrong == ["rasa 3.7.0 (written for 3.6.21)", "python 3.11.2 (written for 3.10)"]
    assert patches.version_mismatches({"rasa": "3.6.21"}, {}.get) == ["rasa absent (written for 3.6.21)"]
    assert patches.version_mismatches({"rasa": "3.6.2"}, {"rasa": "3.6.21"}.get)  # not a prefix match


def test_after_an_upgrade_no_patch_is_installed_and_rasa_keeps_its_own_code(caplog) -> None:
    from rasa.shared.core.events import Event
    from rasa.utils.tensorflow.models import RasaModel

    load, resolve = RasaModel.__dict__["load"], Event.__dict__["resolve_by_type"]
    outcomes = patches.install(env={}, version_of=lambda package: "99.0")
    assert [o.installed for o in outcomes] == [False] * len(patches.PATCHES)
    assert all("written for" in o.reason for o in outcomes)
    assert RasaModel.__dict__["load"] is load and Event.__dict__["resolve_by_type"] is resolve
    assert sum("runtime patch" in r.getMessage() and "skipped" in r.getMessage() for r in caplog.records) == len(patches.PATCHES)


def test_sesame_patches_off_installs_none() -> None:
    from rasa.utils.tensorflow.models import RasaModel

    load = RasaModel.__dict__["load"]
    outcomes = patches.install(env={"SESAME_PATCHES": "off"})
    assert not any(o.installed for o in outcomes)
    assert RasaModel.__dict__["load"] is load


def test_sesame_patches_can_name_the_patches_to_install() -> None:
    assert patches.wanted({"SESAME_PATCHES": "regex_cache"}) == ("regex_cache",)
    assert patches.wanted({"SESAME_PATCHES": "tracker_sql, regex_cache"}) == ("regex_cache", "tracker_sql")
    assert patches.wanted({}) == patches.PATCHES and patches.wanted({"SESAME_PATCHES": "off"}) == ()
    with pytest.raises(ValueError, match="unknown patches: regex_cach"):
        patches.wanted({"SESAME_PATCHES": "regex_cach"})


def test_on_the_pinned_versions_every_patch_installs() -> None:
    """In a fresh interpreter, as `python -m bot.rasa_server` does it."""
    code = ("import json; from bot import patches; "
            "print(json.dumps({o.name: o.installed for o in patches.install(env={})}))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    installed = json.loads(done.stdout.strip().splitlines()[-1])
    assert installed == {name: True for name in patches.PATCHES}

"""The environment is read in two places only: actions/common/settings.py and bot/settings.py.

``actions/common/settings.py`` serves the action server, the worker and ``messaging/``;
``bot/settings.py`` the Rasa process's channels and the web process. Any other read of
``os.environ`` or ``os.getenv`` in ``actions/``, ``bot/`` or ``messaging/`` fails here, unless
it is listed below with its reason. ``tools/`` is not checked: its launchers set the
environment of the processes they start.
"""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("actions", "bot", "messaging")
SETTINGS_MODULES = ("actions/common/settings.py", "bot/settings.py")

#: path (a file, or a folder ending in "/") → why it still touches the environment.
ALLOWED = {
    "bot/rasa_server.py": "writes TF_ENABLE_ONEDNN_OPTS before TensorFlow is imported (a setting for TensorFlow, not read)",
    # Being edited by other changes of issue 16; their reads move into the settings modules there.
    "bot/patches/": "SESAME_PATCHES, SESAME_ACTION_TIMEOUT, the tracker's PostgreSQL schema (bot/patches/ is edited elsewhere)",
    "bot/production/": ("the event broker's retention and RASA_ENVIRONMENT, the lock store's REDIS_PASSWORD "
                        "(bot/production/ is edited elsewhere)"),
    "bot/nlu/urgent_check.py": "SESAME_URGENT_CHECK (bot/nlu/ is edited elsewhere)",
    "actions/booking/bench.py": "SESAME_TEST_POSTGRES_URL of the booking benchmark (actions/booking/ is being refactored)",
    "actions/booking/demo.py": "SESAME_ENV for the demonstration agenda check (actions/booking/ is being refactored)",
}


def environment_reads(path: Path) -> list[int]:
    """Lines that touch os.environ / os.getenv / os.putenv, or import environ or getenv from os."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    lines = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and node.attr in {"environ", "environb", "getenv", "putenv", "unsetenv"}
                and isinstance(node.value, ast.Name) and node.value.id == "os"):
            lines.append(node.lineno)
        elif isinstance(node, ast.ImportFrom) and node.module == "os" and any(
                alias.name in {"environ", "environb", "getenv", "putenv", "unsetenv"} for alias in node.names):
            lines.append(node.lineno)
    return sorted(lines)


def allowed(relative: str) -> str | None:
    return next((key for key in ALLOWED if relative == key or (key.endswith("/") and relative.startswith(key))), None)


def reads() -> dict[str, list[int]]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            lines = environment_reads(path)
            if lines and relative not in SETTINGS_MODULES:
                found[relative] = lines
    return found


def test_only_the_settings_modules_read_the_environment() -> None:
    outside = {path: lines for path, lines in reads().items() if allowed(path) is None}
    assert not outside, ("read the environment in actions/common/settings.py or bot/settings.py instead: "
                         + ", ".join(f"{path}:{lines}" for path, lines in outside.items()))


def test_every_exception_is_still_needed() -> None:
    used = {allowed(path) for path in reads()}
    stale = sorted(set(ALLOWED) - used)
    assert not stale, f"these no longer read the environment, remove them from ALLOWED: {stale}"


def test_both_settings_modules_do_read_it() -> None:
    for module in SETTINGS_MODULES:
        assert environment_reads(ROOT / module), module


def test_the_checker_sees_every_spelling(tmp_path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text("import os\nfrom os import getenv\na = os.environ['A']\nb = os.getenv('B')\n"
                     "c = os.environ.get('C')\nd = os.path.join('x')\n", encoding="utf-8")
    assert environment_reads(probe) == [2, 3, 4, 5]

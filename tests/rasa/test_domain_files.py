"""The domain is split by capability (domain/<capability>.yml) and merges into one, as Rasa reads it."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tools.domain import DOMAIN_DIR, DuplicateDomainKey, domain_files, load_domain

ROOT = Path(__file__).resolve().parents[2]
CAPABILITIES = {"core", "urgent", "catalogue", "guides", "booking", "handoff", "privacy"}


def test_one_domain_file_per_capability_and_no_single_file_left() -> None:
    assert not (ROOT / "domain.yml").exists()
    assert {path.stem for path in domain_files()} == CAPABILITIES
    for path in domain_files():
        assert yaml.safe_load(path.read_text(encoding="utf-8"))["version"] == "3.1", path.name


def test_each_capability_file_holds_its_own_names() -> None:
    prefixes = {"booking": ("booking_", "utter_booking", "utter_ask_booking", "action_booking", "validate_booking",
                            "action_ask_booking", "book_", "cancel_", "move_", "utter_form_first_step"),
                "handoff": ("handoff", "utter_handoff", "utter_ask_handoff", "action_handoff", "validate_handoff"),
                "privacy": ("privacy", "utter_privacy", "utter_ask_privacy", "action_privacy", "validate_privacy"),
                "urgent": ("urgent_", "utter_urgent")}
    for capability, starts in prefixes.items():
        part = yaml.safe_load((DOMAIN_DIR / f"{capability}.yml").read_text(encoding="utf-8"))
        names = [str(next(iter(item)) if isinstance(item, dict) else item) for key in ("intents", "actions", "forms")
                 for item in part.get(key) or []] + list(part.get("responses") or {}) + list(part.get("slots") or {})
        assert names and all(name.startswith(starts) for name in names), (capability, names)


def test_the_merged_domain_has_every_section_and_each_name_once() -> None:
    domain = load_domain()
    for key in ("intents", "entities", "slots", "responses", "actions", "forms", "session_config"):
        assert domain[key], key
    assert len(domain["intents"]) == len(set(map(str, domain["intents"])))


def test_a_name_defined_in_two_files_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "a.yml").write_text('version: "3.1"\nresponses:\n  utter_x:\n    - text: "A"\n', encoding="utf-8")
    (tmp_path / "b.yml").write_text('version: "3.1"\nresponses:\n  utter_x:\n    - text: "B"\n', encoding="utf-8")
    with pytest.raises(DuplicateDomainKey, match="utter_x"):
        load_domain(tmp_path)

"""The conversation tests (tests/stories/test_guides.yml) open each guide with a vague
phrase and no entity: the guide action must find the right guide from the words."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from actions.guides.library import load_library
from actions.guides.matching import resolve

STORIES = Path(__file__).resolve().parents[2] / "tests" / "stories" / "test_guides.yml"
LIBRARY = load_library()


def guide_entries() -> list[tuple[str, str]]:
    data = yaml.safe_load(STORIES.read_text(encoding="utf-8"))
    entries = []
    for story in data["stories"]:
        name = story["story"]
        if not name.startswith("guide "):
            continue
        guide_id = name.split()[1].rstrip(":")
        first = next(step for step in story["steps"] if "user" in step)
        entries.append((guide_id, first["user"].strip()))
    return entries


ENTRIES = guide_entries()


def test_every_guide_has_a_conversation_test() -> None:
    assert {g for g, _ in ENTRIES} == set(LIBRARY)


@pytest.mark.parametrize("guide_id,text", ENTRIES, ids=[g for g, _ in ENTRIES])
def test_the_story_entry_opens_its_guide(guide_id: str, text: str) -> None:
    found = resolve(text, LIBRARY)
    assert found.kind == "one" and found.guides[0].id == guide_id, [g.id for g in found.guides]

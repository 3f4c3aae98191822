"""Residents reach every guide: the held-out NLU phrasings (tests/nlu/guides.yml)
find their guide even when the model extracts no entity (keywords alone)."""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from actions.guides.library import load_library
from actions.guides.matching import resolve

TEST_SET = Path(__file__).resolve().parents[2] / "tests" / "nlu" / "guides.yml"
ANNOTATION = re.compile(r'\[([^\]]+)\]\{"entity": "guide", "value": "([^"]+)"\}')
LIBRARY = load_library()


def ask_guide_examples() -> list[tuple[str, str | None]]:
    """(plain text, annotated guide id or None) for each ask_guide test example."""
    data = yaml.safe_load(TEST_SET.read_text(encoding="utf-8"))
    examples = []
    for block in data["nlu"]:
        if block.get("intent") != "ask_guide":
            continue
        for line in block["examples"].splitlines():
            line = line.strip()
            if not line.startswith("- "):
                continue
            line = line[2:]
            found = ANNOTATION.search(line)
            examples.append((ANNOTATION.sub(lambda m: m.group(1), line), found.group(2) if found else None))
    return examples


EXAMPLES = ask_guide_examples()


@pytest.mark.parametrize("text,expected", EXAMPLES, ids=[t for t, _ in EXAMPLES])
def test_words_alone_lead_to_a_guide(text: str, expected: str | None) -> None:
    found = [g.id for g in resolve(text, LIBRARY).guides]
    assert found, f"no guide for {text!r}"
    if expected:
        assert expected in found, f"{text!r} should reach {expected}, got {found}"


def test_each_guide_has_at_least_3_test_phrasings() -> None:
    reached: Counter[str] = Counter()
    for text, expected in EXAMPLES:
        guides = [expected] if expected else [g.id for g in resolve(text, LIBRARY).guides]
        reached.update(set(guides))
    short = {g: reached[g] for g in LIBRARY if reached[g] < 3}
    assert not short, f"guides with fewer than 3 test phrasings: {short}"

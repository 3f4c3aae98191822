"""The emergency word lists on their development set, the training data and the held-out NLU set.

Not a blind measure (tests/crisis/README.md): a guard that an edit of bot/nlu/crisis_cues.py
does not lose what was reached, or start reading danger into ordinary messages.
"""
from __future__ import annotations

import re
from pathlib import Path

import yaml

from bot.nlu.crisis_cues import cannot_speak, families_in

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def messages(name: str) -> list[dict]:
    return yaml.safe_load((HERE / name).read_text(encoding="utf-8"))["messages"]


def nlu_examples(folder: Path) -> list[tuple[str, str]]:
    found = []
    for path in sorted(folder.glob("*.yml")):
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu", []):
            for line in str(block.get("examples", "")).splitlines() if "intent" in block else []:
                if line.strip().startswith("- "):
                    text = re.sub(r"\[([^\]]*)\]\([^)]*\)|\[([^\]]*)\]\{[^}]*\}", lambda m: m.group(1) or m.group(2), line.strip()[2:])
                    found.append((block["intent"], text))
    return found


def test_almost_every_emergency_of_the_development_set_is_named() -> None:
    urgent = messages("urgent.yml")
    missed = [m["text"] for m in urgent if not families_in(m["text"])]
    assert len(missed) <= 3, missed  # 3 of 220 on 2026-12-08
    unseen = [m["text"] for m in urgent if m.get("deaf") and not cannot_speak(m["text"])]
    assert unseen == []


def test_no_calm_message_of_the_development_set_names_an_emergency() -> None:
    alarms = [(m["text"], sorted(families_in(m["text"]))) for m in messages("calm.yml") if families_in(m["text"])]
    assert alarms == []


def test_the_training_and_held_out_emergencies_are_named_and_no_ordinary_example() -> None:
    for folder, most_missed in ((ROOT / "data" / "nlu", 10), (ROOT / "tests" / "nlu", 1)):
        examples = nlu_examples(folder)
        urgent = [text for intent, text in examples if intent.startswith("urgent_")]
        calm = [text for intent, text in examples if not intent.startswith("urgent_")]
        assert len(urgent) >= 100 and len(calm) >= 300
        missed = [text for text in urgent if not families_in(text)]
        assert len(missed) <= most_missed, (folder.name, missed)
        assert [text for text in calm if families_in(text)] == [], folder.name

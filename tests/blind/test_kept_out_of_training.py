"""The blind evaluation sets stay out of the training data for good.

No NLU training example may equal, or nearly equal, a blind message (same words once case,
accents and punctuation are set aside; or 85 % of the same character trigrams).
"""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
NEAR = 0.85


def normal(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    folded = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    folded = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", folded)  # Rasa entity markup
    return " ".join(re.findall(r"[a-z0-9]+", folded))


def trigrams(text: str) -> set[str]:
    padded = f"  {text} "
    return {padded[i:i + 3] for i in range(len(padded) - 2)}


def training_examples() -> list[str]:
    examples = []
    for path in sorted((ROOT / "data" / "nlu").glob("*.yml")):
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu", []):
            for line in str(block.get("examples", "")).splitlines():
                line = line.strip()
                if line.startswith("- "):
                    examples.append(normal(line[2:]))
    return examples


def blind_messages() -> list[str]:
    messages = []
    for path in sorted((ROOT / "tests" / "blind").rglob("*.yml")):
        messages += [normal(m["text"]) for m in yaml.safe_load(path.read_text(encoding="utf-8"))["messages"]]
    return messages


def test_no_training_example_equals_or_nearly_equals_a_blind_message() -> None:
    examples = training_examples()
    assert len(examples) > 1000
    exact = set(examples)
    grams = [(e, trigrams(e)) for e in examples]
    clashes = []
    for message in blind_messages():
        if message in exact:
            clashes.append((message, message))
            continue
        mine = trigrams(message)
        for example, theirs in grams:
            if abs(len(theirs) - len(mine)) > 0.3 * len(mine):
                continue
            if len(mine & theirs) / len(mine | theirs) >= NEAR:
                clashes.append((message, example))
                break
    assert clashes == [], f"{len(clashes)} blind messages are (nearly) in data/nlu: {clashes[:50]}"

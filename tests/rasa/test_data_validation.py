"""`rasa data validate` must pass, and every warning it prints must be explained.

Accepted: an intent listed in INTENTS_WITHOUT_STORY with its reason, and an utterance "not used in any story or rule"
that a custom action sends itself, or that a form asks (utter_ask_<slot>): the
test checks that the code really uses it, so a truly dead response still fails.
"""
from __future__ import annotations

import re

import pytest

from tests.rasa.rasa_cli import ROOT, TRAINING_DATA, rasa
from tools.domain import load_domain

pytestmark = pytest.mark.rasa

UNUSED = re.compile(r"The utterance '(\w+)' is not used in any story or rule")
UNUSED_INTENT = re.compile(r"The intent '(\w+)' is not used in any story or rule")
# Intents that no story needs, with the reason.
INTENTS_WITHOUT_STORY = {
    "inform": "short answers inside forms: the form reads the text, whatever the intent",
}
WARNING = re.compile(r"UserWarning: (.*)|WARNING\s+\S+\s+-\s+(.*)")


def action_code() -> str:
    return "\n".join(p.read_text() for p in (ROOT / "actions").rglob("*.py"))


def form_slots() -> set[str]:
    domain = load_domain()
    slots: set[str] = set()
    for form in (domain.get("forms") or {}).values():
        slots.update(form.get("required_slots") or [])
    return slots


def explained(warning: str, code: str, asked: set[str]) -> bool:
    intent = UNUSED_INTENT.search(warning)
    if intent:
        return intent.group(1) in INTENTS_WITHOUT_STORY
    match = UNUSED.search(warning)
    if not match:
        return False
    name = match.group(1)
    return f'"{name}"' in code or f"'{name}'" in code or (
        name.startswith("utter_ask_") and name.removeprefix("utter_ask_") in asked
    )


def test_training_data_and_domain_are_consistent() -> None:
    result = rasa("data", "validate", "--domain", "domain", "--data", *TRAINING_DATA,
                  "--config", "config.yml", timeout=600)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    warnings = [next(g for g in m.groups() if g) for m in map(WARNING.search, output.splitlines()) if m]
    code, asked = action_code(), form_slots()
    unexplained = [w for w in warnings if not explained(w, code, asked)]
    assert not unexplained, "unexplained validation warnings:\n" + "\n".join(unexplained)

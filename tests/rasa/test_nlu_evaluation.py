"""The NLU gate: intent macro-F1 on the held-out test set (tests/nlu/), never seen in training."""
from __future__ import annotations

import json

import pytest

from tests.rasa.rasa_cli import ROOT, rasa
from tools.domain import load_domain

pytestmark = pytest.mark.rasa
MACRO_F1_FLOOR = 0.92


@pytest.fixture(scope="module")
def intent_report(trained_model) -> dict:
    out = ROOT / "reports" / "nlu"
    result = rasa("test", "nlu", "--model", str(trained_model), "--nlu", "tests/nlu",
                  "--out", str(out), "--domain", "domain")
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads((out / "intent_report.json").read_text())


def test_intent_macro_f1_meets_the_floor(intent_report) -> None:
    macro = intent_report["macro avg"]["f1-score"]
    weak = {
        name: round(scores["f1-score"], 3)
        for name, scores in intent_report.items()
        if isinstance(scores, dict) and "support" in scores and name not in {"macro avg", "weighted avg", "micro avg"}
        and scores["f1-score"] < 0.85
    }
    assert macro >= MACRO_F1_FLOOR, f"intent macro-F1 {macro:.3f} < {MACRO_F1_FLOOR}; weakest intents: {weak}"


URGENT = ["urgent_shelter", "urgent_violence", "urgent_child", "urgent_suicide", "urgent_medical"]


@pytest.mark.parametrize("intent", URGENT)
def test_urgent_situations_are_rarely_missed(intent_report, intent) -> None:
    """A missed emergency is the worst error Sésame can make: recall must stay high."""
    recall = intent_report[intent]["recall"]
    assert recall >= 0.9, f"{intent} recall {recall:.2f}: some urgent messages got no emergency number"


def test_every_trained_intent_is_in_the_test_set(intent_report) -> None:

    domain = load_domain()
    tested = {name for name, scores in intent_report.items() if isinstance(scores, dict) and scores.get("support")}
    missing = [i for i in domain["intents"] if (i if isinstance(i, str) else next(iter(i))) not in tested]
    assert not missing, f"intents without held-out test utterances: {missing}"

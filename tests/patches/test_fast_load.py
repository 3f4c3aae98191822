"""The stack's faster model load gives exactly the model Rasa's own load gives.

bot.rasa_server rebuilds DIET and TED without tracing a training graph. A
mistake there would not crash: Rasa quietly runs without a TED model, or with random
weights. So the same trained model is loaded both ways and every prediction compared.
The server also runs TensorFlow without its oneDNN kernels, and Rasa's way keeps them:
the comparison covers that too.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def load_and_predict(model: Path, how: str) -> dict:
    result = subprocess.run([sys.executable, "tests/patches/fast_load_probe.py", str(model), how],
                            cwd=ROOT, capture_output=True, text=True, timeout=900)
    lines = [line for line in result.stdout.splitlines() if line.startswith("RESULT ")]
    assert result.returncode == 0 and lines, result.stderr[-3000:]
    return json.loads(lines[-1][len("RESULT "):])


@pytest.fixture(scope="module")
def both_loads(trained_model: Path) -> tuple[dict, dict]:
    return load_and_predict(trained_model, "rasa"), load_and_predict(trained_model, "fast")


def test_fast_load_does_not_fall_back_and_loads_ted(both_loads: tuple[dict, dict]) -> None:
    rasa, fast = both_loads
    assert fast["fell_back"] is False, "the fast path gave up: nothing below would be tested"
    assert rasa["ted_loaded"] and fast["ted_loaded"]
    assert (rasa["onednn"], fast["onednn"]) == ("default", "0")


def test_same_intents_entities_and_confidences(both_loads: tuple[dict, dict]) -> None:
    rasa, fast = both_loads
    assert len(rasa["nlu"]) >= 40
    for (text, intent, confidence, entities), (_, fast_intent, fast_confidence, fast_entities) in zip(
            rasa["nlu"], fast["nlu"]):
        assert (fast_intent, fast_entities) == (intent, entities), text
        assert fast_confidence == pytest.approx(confidence, abs=1e-5), text


def test_same_dialogue_predictions(both_loads: tuple[dict, dict]) -> None:
    rasa, fast = both_loads
    assert len(rasa["dialogue"]) == len(fast["dialogue"]) >= 10
    assert any(max(p) > 0.5 for _, p in rasa["dialogue"]), "TED predicted nothing: the comparison is empty"
    for (text, probabilities), (_, fast_probabilities) in zip(rasa["dialogue"], fast["dialogue"]):
        assert fast_probabilities == pytest.approx(probabilities, abs=1e-5), text

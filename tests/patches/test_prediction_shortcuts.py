"""The stack's prediction shortcuts never change what Sésame understands or does next.

bot.patches.lazy_ted runs TED only when another policy has not already won for sure;
bot.patches.graph_runner runs Rasa's graphs without dask; bot.patches.rule_lookup
remembers which rules apply to a recent history; bot.patches.sparse_features joins
features without scipy's block builder; bot.patches.count_vectors counts n-grams without
sklearn's batch machinery; bot.patches.states_cache works out the
dialogue states once per prediction; bot.patches.quiet_debug skips copies for debug
lines that are not written; bot.patches.flat_predict calls DIET's and TED's traced
graphs directly. The real model replays every
training story and rule, cut before each bot action, and seeded random conversations
where TED has to decide: the chosen action, the policy that chose it and its confidence
must be the same as Rasa's own way. Held-out messages must be understood identically.
"""
from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from bot.patches.lazy_ted import cannot_win
from rasa.core.policies.policy import PolicyPrediction
from rasa.shared.core.events import ActionExecuted, ActionExecutionRejected, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def replay(trained_model: Path) -> dict:
    result = subprocess.run([sys.executable, "tests/patches/shortcuts_probe.py", str(trained_model)],
                            cwd=ROOT, capture_output=True, text=True, timeout=900)
    lines = [line for line in result.stdout.splitlines() if line.startswith("RESULT ")]
    assert result.returncode == 0 and lines, result.stderr[-3000:]
    return json.loads(lines[-1][len("RESULT "):])


def test_same_decisions_as_rasa(replay: dict) -> None:
    rasa, stack = replay["rasa"]["decisions"], replay["stack"]["decisions"]
    assert len(rasa) == len(stack) >= 500
    differences = [(a, b) for a, b in zip(rasa, stack) if a != b]
    assert not differences, differences[:5]


def test_same_understanding_as_rasa(replay: dict) -> None:
    rasa, stack = replay["rasa"]["parses"], replay["stack"]["parses"]
    assert len(rasa) == len(stack) >= 60
    assert len({p["intent"]["name"] for p in rasa}) > 10  # many kinds of messages, not one
    differences = [(a["text"], a["intent"], b["intent"]) for a, b in zip(rasa, stack) if a != b]
    assert not differences, differences[:5]


def test_same_applicable_rules_as_rasa(replay: dict) -> None:
    """bot.patches.rule_lookup: the memo finds the rules Rasa finds, first time and remembered."""
    rules = replay["rule_keys"]
    assert rules["checked"] >= 1000 and rules["with_a_rule"] >= 200
    assert rules["differences"] == []


def test_tensorflow_is_called_directly(replay: dict) -> None:
    """bot.patches.flat_predict: DIET and TED both took the direct call, for every parse and TED run."""
    assert replay["tf_models"] == 2
    calls = replay["tf_calls"]
    assert calls["dispatched"] == 0
    assert calls["direct"] >= len(replay["stack"]["parses"]) + replay["counts"]["computed"]


def test_the_replay_covers_both_ways(replay: dict) -> None:
    """Both branches ran: TED decided some turns, and was skipped on most."""
    winners = Counter(policy for _, policy, _ in replay["rasa"]["decisions"])
    assert winners["TEDPolicy"] >= 20 and winners["RulePolicy"] >= 100
    counts = replay["counts"]
    assert counts["computed"] >= winners["TEDPolicy"]
    assert counts["skipped"] > counts["computed"]


def prediction(confidence: float, priority: int, **kind: bool) -> PolicyPrediction:
    return PolicyPrediction([0.0, confidence], "P", priority, **kind)


def tracker(*events: object) -> DialogueStateTracker:
    return DialogueStateTracker.from_events("t", [ActionExecuted("action_listen"), UserUttered("x"), *events])


TED = prediction(0.0, 1)


@pytest.mark.parametrize("settled, events, skip", [
    ([prediction(1.0, 6)], [], True),                      # a rule is sure
    ([prediction(1.0, 3)], [], True),                      # a memorised story is sure
    ([prediction(0.3, 6)], [], False),                     # rule fallback at 0.3: TED may beat it
    ([prediction(0.99, 6)], [], False),
    ([prediction(1.0, 1)], [], False),                     # same priority as TED: a tie is TED's to take
    ([prediction(0.2, 6, is_no_user_prediction=True)], [], True),    # "no user" shuts TED out
    ([prediction(0.2, 6, is_end_to_end_prediction=True)], [], True),  # so does end-to-end
    ([prediction(1.0, 6)], [ActionExecutionRejected("utter_x")], False),  # rejection zeroes the rule
    ([prediction(1.0, 6)], [ActionExecutionRejected("utter_x"), ActionExecuted("utter_y")], True),
])
def test_ted_is_skipped_only_when_it_cannot_win(settled: list, events: list, skip: bool) -> None:
    assert cannot_win(TED, settled, tracker(*events)) is skip

"""The blind sets over the REST channel of the running stack: no regression below the measured figures.

The sets were written by helper sessions that never saw the training data: tests/blind/ (the
first, used since 2026-12-08 as the development set of the emergency detector) and
tests/blind/second/ (written later by another writer; only its totals are looked at). The
issue's targets are 95 % right, no crisis line for a non-urgent message and every urgent
message answered with its numbers; Sésame is not there yet (docs/nlu-evaluation.md). The
floors keep the figures last measured, with a margin, so that no change makes residents'
answers worse while the understanding work goes on; raise them as the figures improve.
"""
from __future__ import annotations

import pytest

from tools.blind_eval import SECOND, run

pytestmark = [pytest.mark.e2e, pytest.mark.rasa]

# Measured 2026-12-08 (docs/nlu-evaluation.md): first 81.7 / 77.8 / 94.6 %, 1 false alarm;
# second 77.2 / 74.0 / 78.0 %, 4 false alarms.
FLOORS = {
    "first": {"residents": 0.79, "figurative": 0.75, "urgent": 0.93},
    "second": {"residents": 0.75, "figurative": 0.71, "urgent": 0.76},
}
MAX_FALSE_ALARMS = {"first": 2, "second": 5}  # crisis lines given to non-urgent messages, both non-urgent sets together


@pytest.mark.parametrize("which", ["first", "second"])
def test_the_blind_sets_do_not_fall_below_the_last_measured_figures(sesame_stack, which) -> None:
    report = run(sesame_stack.say) if which == "first" else run(sesame_stack.say, folder=SECOND)
    shares = {name: report[name]["right_share"] for name in FLOORS[which]}
    assert all(shares[name] >= floor for name, floor in FLOORS[which].items()), shares
    false_alarms = report["residents"]["false_alarms"] + report["figurative"]["false_alarms"]
    assert false_alarms <= MAX_FALSE_ALARMS[which], f"{false_alarms} crisis lines for non-urgent messages"

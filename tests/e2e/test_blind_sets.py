"""The blind sets over the REST channel of the running stack: no regression below today's figures.

The sets (tests/blind/) were written by a helper session that never saw the training data.
The issue's targets are 95 % right, no crisis line for a non-urgent message and every urgent
message answered with its numbers; on 2026-12-07 Sésame is far from them (docs/nlu-evaluation.md).
This test keeps the figures measured that day as a floor, so that no change makes residents'
answers worse while the understanding work goes on; raise the floors as the figures improve.
"""
from __future__ import annotations

import pytest

from tools.blind_eval import run

pytestmark = [pytest.mark.e2e, pytest.mark.rasa]

FLOORS = {"residents": 0.76, "figurative": 0.70, "urgent": 0.90}  # measured 80.4, 74.6, 91.9 (2026-12-07)
MAX_FALSE_ALARMS = 26  # crisis lines given to non-urgent messages, both sets together (22 measured; 33 without the check)


def test_the_blind_sets_do_not_fall_below_the_figures_of_2026_12_07(sesame_stack) -> None:
    report = run(sesame_stack.say)
    shares = {name: report[name]["right_share"] for name in FLOORS}
    assert all(shares[name] >= floor for name, floor in FLOORS.items()), shares
    false_alarms = report["residents"]["false_alarms"] + report["figurative"]["false_alarms"]
    assert false_alarms <= MAX_FALSE_ALARMS, f"{false_alarms} crisis lines for non-urgent messages"
    missed = [f["text"] for f in report["urgent"]["failures"] if any("missing number" in r for r in f["reasons"])]
    assert len(missed) <= 7, missed

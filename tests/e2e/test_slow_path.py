"""The slow-path guard on the real stack: every kind of resident turn, and no action on the slow path.

The action server logs ``slow path:`` when a call that is not the action's first in its
process opens a file or takes longer than its budget (actions/slow_path.py). This test
has a conversation of every scenario of the mixed benchmark (search, guide, booking and
cancel, handoff, urgent, not understood, privacy, thanks) twice over REST: the first round
may load what the actions keep in memory, the second must not touch a file. Every turn
must be answered.
"""
from __future__ import annotations

import asyncio

import pytest

from tools.bench_mixed import SCENARIOS, run_level

pytestmark = [pytest.mark.e2e, pytest.mark.rasa]


def test_every_kind_of_turn_twice_and_no_action_on_the_slow_path(sesame_stack) -> None:
    url = f"{sesame_stack.rasa_url}/webhooks/rest/webhook"
    log = sesame_stack.var_dir / "logs" / "actions.log"
    for round_ in ("first", "second"):
        level = asyncio.run(run_level(url, 2, len(SCENARIOS), timeout=60, tag=f"slow-path-{round_}"))
        # Every turn answered. A reply off the benchmark's script ends that conversation early:
        # on 2026-12-07 a random booking reference once got the 115 (a false alarm, issue 14).
        assert level["errors"] == 0, (round_, level["off_script_samples"])
        assert level["turns"] >= len(SCENARIOS), level["kinds"]
    warnings = [line for line in log.read_text(errors="replace").splitlines() if "slow path:" in line]
    assert warnings == []

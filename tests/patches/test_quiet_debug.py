"""bot.patches.quiet_debug: debug snapshots are skipped only while debug lines are dropped."""
from __future__ import annotations

import logging
from typing import Iterator

import pytest
import structlog
from rasa.core import processor
from rasa.core.policies import memoization, rule_policy
from rasa.core.policies.policy import Policy

from bot.patches import quiet_debug

STATES = [{"user": {"intent": "greet"}, "prev_action": {"action_name": "action_listen"}}]


@pytest.fixture
def patched() -> Iterator[None]:
    saved = structlog.get_config()
    quiet_debug.install()
    yield
    quiet_debug.uninstall()
    structlog.configure(**saved)


def at(level: int) -> None:
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(level))


def test_at_info_no_copy_and_no_formatting(patched: None) -> None:
    at(logging.INFO)
    assert not quiet_debug.debug_lines_written()
    for module in (processor, memoization, rule_policy):
        assert module.copy.deepcopy(STATES) is STATES
    assert rule_policy.RulePolicy.format_tracker_states(STATES) == ""


def test_at_debug_the_lines_are_as_rasa_writes_them(patched: None) -> None:
    at(logging.DEBUG)
    assert quiet_debug.debug_lines_written()
    copied = memoization.copy.deepcopy(STATES)
    assert copied == STATES and copied is not STATES and copied[0] is not STATES[0]
    assert rule_policy.RulePolicy.format_tracker_states(STATES) == Policy.format_tracker_states(STATES)
    assert "user intent: greet" in rule_policy.RulePolicy.format_tracker_states(STATES)


def test_uninstall_restores_rasa(patched: None) -> None:
    quiet_debug.uninstall()
    import copy

    assert processor.copy is copy and memoization.copy is copy and rule_policy.copy is copy
    assert rule_policy.RulePolicy.format_tracker_states is Policy.format_tracker_states

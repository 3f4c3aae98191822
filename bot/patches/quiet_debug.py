"""Skip the copies Rasa makes for debug log lines that are not written.

Rasa's processor, RulePolicy and MemoizationPolicy pass ``copy.deepcopy(...)`` of the
dialogue states, events and parse to ``structlogger.debug(...)``. Python evaluates
those arguments before structlog drops the line, so every turn deep-copied the
conversation's states several times, and RulePolicy formatted them as text, for
nothing: Sésame runs Rasa at INFO. In those three modules only (where ``copy`` and
``format_tracker_states`` serve nothing but debug lines) the copy and the formatting
are skipped while structlog's debug method is a no-op, and done as before otherwise.
tests/patches/test_prediction_shortcuts.py replays every decision both ways.
"""
from __future__ import annotations

import copy
from types import ModuleType
from typing import Any, Dict, List

import structlog
from rasa.core import processor
from rasa.core.policies import memoization, rule_policy
from rasa.core.policies.policy import Policy

WRITTEN_FOR = {"rasa": "3.6.21", "structlog": "23.3.0"}  # the versions this patch was written and tested against

_MODULES: List[ModuleType] = [processor, memoization, rule_policy]
_rasa_format = Policy.format_tracker_states


def debug_lines_written() -> bool:
    """False only when structlog is configured to drop debug lines (Rasa at INFO or above)."""
    wrapper = structlog.get_config().get("wrapper_class")
    return getattr(wrapper, "debug", None) is not getattr(structlog._native, "_nop", object())


class DebugOnlyCopy:
    """The ``copy`` module as those modules see it: a real copy only when it is logged."""

    @staticmethod
    def deepcopy(value: Any, memo: Any = None) -> Any:
        return copy.deepcopy(value, memo) if debug_lines_written() else value

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)


def format_tracker_states(states: List[Dict]) -> str:
    return _rasa_format(states) if debug_lines_written() else ""


def install() -> None:
    shim = DebugOnlyCopy()
    for module in _MODULES:
        module.copy = shim  # type: ignore[attr-defined]
    rule_policy.RulePolicy.format_tracker_states = staticmethod(format_tracker_states)  # type: ignore[method-assign]


def uninstall() -> None:
    for module in _MODULES:
        module.copy = copy  # type: ignore[attr-defined]
    if "format_tracker_states" in vars(rule_policy.RulePolicy):
        del rule_policy.RulePolicy.format_tracker_states

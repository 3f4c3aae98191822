"""Work out a conversation's dialogue states once per prediction, not once per policy.

To choose the next action, MemoizationPolicy and RulePolicy (twice: from the text,
then from the intent) each ask the tracker for its past states, and Rasa replays the
whole conversation from its first event every time. Those calls get the same answer:
nothing has happened in between. So the tracker keeps its last answer, keyed by what
it depends on (the events so far, the domain, and the call's arguments), and hands
out fresh copies of it: the policies edit the states they receive (dropping the text
or the intent of the last message), so no caller ever sees another's edits.

States are lists of dicts of dicts of immutable values (strings, tuples), so copying
two levels deep gives independent states. tests/runtime/test_prediction_shortcuts.py
replays every decision with and without this.
"""
from __future__ import annotations

from typing import Any, Dict, Hashable, List, Optional

from rasa.shared.core.domain import Domain, State
from rasa.shared.core.trackers import DialogueStateTracker

from bot.runtime.rule_lookup import freeze

_rasa_past_states = DialogueStateTracker.past_states
_SLOT = "_sesame_past_states"


def copy_states(states: List[State]) -> List[State]:
    """Independent copies of states whose innermost values are immutable."""
    return [{key: dict(sub_state) for key, sub_state in state.items()} for state in states]


def _key(tracker: DialogueStateTracker, domain: Domain, omit_unset_slots: bool,
         ignore_rule_only_turns: bool, rule_only_data: Optional[Dict[str, Any]]) -> Hashable:
    events = tracker.events
    # The last event's identity as well as the count: a bounded history drops its oldest event.
    return (len(events), id(events[-1]) if events else None, id(domain), omit_unset_slots,
            ignore_rule_only_turns, freeze(rule_only_data))


def past_states(self: DialogueStateTracker, domain: Domain, omit_unset_slots: bool = False,
                ignore_rule_only_turns: bool = False,
                rule_only_data: Optional[Dict[str, Any]] = None) -> List[State]:
    """Rasa's ``past_states``, computed once for the same events and arguments."""
    key = _key(self, domain, omit_unset_slots, ignore_rule_only_turns, rule_only_data)
    cached = self.__dict__.get(_SLOT)
    if cached is None or cached[0] != key:
        cached = (key, _rasa_past_states(self, domain, omit_unset_slots=omit_unset_slots,
                                         ignore_rule_only_turns=ignore_rule_only_turns,
                                         rule_only_data=rule_only_data))
        self.__dict__[_SLOT] = cached
    return copy_states(cached[1])


def install() -> None:
    DialogueStateTracker.past_states = past_states  # type: ignore[method-assign]


def uninstall() -> None:
    DialogueStateTracker.past_states = _rasa_past_states  # type: ignore[method-assign]

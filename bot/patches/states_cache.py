"""Work out a conversation's dialogue states once per prediction, not once per policy.

To choose the next action, MemoizationPolicy and RulePolicy (twice: from the text,
then from the intent) each ask the tracker for its past states, and Rasa replays the
whole conversation from its first event every time. Those calls get the same answer:
nothing has happened in between. So the tracker keeps its last answer, keyed by what
it depends on (the events so far, the domain, and the call's arguments), and hands
out fresh copies of it: the policies edit the states they receive (dropping the text
or the intent of the last message), so no caller ever sees another's edits.

MemoizationPolicy asks for the states without rule-only turns and RulePolicy with
them: two different answers, but both come from the same replay of the conversation
(one prior tracker per action) and the same state of each step. So the replay's steps
are kept too, and ``states_from_steps`` derives either answer from them, as Rasa's
``Domain.states_for_tracker_history`` does from the replay.

States are lists of dicts of dicts of immutable values (strings, tuples), so copying
two levels deep gives independent states. tests/patches/test_states_cache.py compares
every answer with Rasa's on every prefix of every training story and rule, and
tests/patches/test_prediction_shortcuts.py replays every decision with and without this.
"""
from __future__ import annotations

from typing import Any, Dict, Hashable, List, Optional, Tuple

from rasa.shared.core.constants import PREVIOUS_ACTION
from rasa.shared.core.domain import Domain, State
from rasa.shared.core.trackers import DialogueStateTracker

from bot.patches.rule_lookup import freeze

WRITTEN_FOR = {"rasa": "3.6.21"}  # the versions this patch was written and tested against

_rasa_past_states = DialogueStateTracker.past_states
_SLOT = "_sesame_past_states"
_STEPS = "_sesame_replay_steps"
_rasa_states_for_tracker_history = Domain.states_for_tracker_history

# One step of the replay: whether Rasa hides the turn from ML policies, the prior
# tracker's follow-up action, latest action name, active loop name, latest action
# (sub-state) and full state.
Step = Tuple[bool, Optional[str], Optional[str], Optional[str], Any, State]


def copy_states(states: List[State]) -> List[State]:
    """Independent copies of states whose innermost values are immutable."""
    return [{key: dict(sub_state) for key, sub_state in state.items()} for state in states]


def _key(tracker: DialogueStateTracker, domain: Domain, omit_unset_slots: bool,
         ignore_rule_only_turns: bool, rule_only_data: Optional[Dict[str, Any]]) -> Hashable:
    events = tracker.events
    # The last event's identity as well as the count: a bounded history drops its oldest event.
    return (len(events), id(events[-1]) if events else None, id(domain), omit_unset_slots,
            ignore_rule_only_turns, freeze(rule_only_data))


def replay_steps(tracker: DialogueStateTracker, domain: Domain, omit_unset_slots: bool) -> List[Step]:
    """What ``states_for_tracker_history`` reads from each prior tracker, read once."""
    return [(hide_rule_turn, prior.followup_action, prior.latest_action_name, prior.active_loop_name,
             domain._get_prev_action_sub_state(prior),
             domain.get_active_state(prior, omit_unset_slots=omit_unset_slots))
            for prior, hide_rule_turn in tracker.generate_all_prior_trackers()]


def states_from_steps(domain: Domain, steps: List[Step], ignore_rule_only_turns: bool,
                      rule_only_data: Optional[Dict[str, Any]]) -> List[State]:
    """``Domain.states_for_tracker_history``'s loop, over steps read beforehand."""
    states: List[State] = []
    last_ml_action_sub_state = None
    turn_was_hidden = False
    for hide_rule_turn, followup_action, latest_action_name, active_loop_name, prev_action, full_state in steps:
        if ignore_rule_only_turns:
            if not turn_was_hidden:
                last_ml_action_sub_state = prev_action
            if not followup_action and not latest_action_name == active_loop_name:
                turn_was_hidden = hide_rule_turn
            if turn_was_hidden:
                continue
        state = {key: dict(sub_state) if isinstance(sub_state, dict) else sub_state
                 for key, sub_state in full_state.items()}  # the edits below stay in this state
        if ignore_rule_only_turns:
            domain._remove_rule_only_features(state, rule_only_data)
            if states:
                domain._substitute_rule_only_user_input(state, states[-1])
            if last_ml_action_sub_state:
                state[PREVIOUS_ACTION] = last_ml_action_sub_state
        states.append(domain._clean_state(state))
    return states


def _compute(tracker: DialogueStateTracker, domain: Domain, omit_unset_slots: bool, ignore_rule_only_turns: bool,
             rule_only_data: Optional[Dict[str, Any]]) -> List[State]:
    if type(domain).states_for_tracker_history is not _rasa_states_for_tracker_history:
        return _rasa_past_states(tracker, domain, omit_unset_slots=omit_unset_slots,
                                 ignore_rule_only_turns=ignore_rule_only_turns, rule_only_data=rule_only_data)
    key = _key(tracker, domain, omit_unset_slots, False, None)
    cached = tracker.__dict__.get(_STEPS)
    if cached is None or cached[0] != key:
        cached = (key, replay_steps(tracker, domain, omit_unset_slots))
        tracker.__dict__[_STEPS] = cached
    return states_from_steps(domain, cached[1], ignore_rule_only_turns, rule_only_data)


def past_states(self: DialogueStateTracker, domain: Domain, omit_unset_slots: bool = False,
                ignore_rule_only_turns: bool = False,
                rule_only_data: Optional[Dict[str, Any]] = None) -> List[State]:
    """Rasa's ``past_states``, computed once for the same events and arguments."""
    key = _key(self, domain, omit_unset_slots, ignore_rule_only_turns, rule_only_data)
    cached = self.__dict__.get(_SLOT)
    if cached is None or cached[0] != key:
        cached = (key, _compute(self, domain, omit_unset_slots, ignore_rule_only_turns, rule_only_data))
        self.__dict__[_SLOT] = cached
    return copy_states(cached[1])


def install() -> None:
    DialogueStateTracker.past_states = past_states  # type: ignore[method-assign]


def uninstall() -> None:
    DialogueStateTracker.past_states = _rasa_past_states  # type: ignore[method-assign]

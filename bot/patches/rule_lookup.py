"""Find the rules that apply to a conversation once per distinct recent history.

Rasa's RulePolicy checks every learned rule against every past turn of the
conversation, for each prediction, two or three times (rules, loop rules, text and
intent): about a third of its time here. A rule only looks back as many turns as it
is long, so the applicable rules depend only on the conversation's last K states (K:
the longest rule). Those states are the key of a bounded memo; what it returns is what
Rasa's ``_get_possible_keys`` returns for the whole history (tests/patches/
test_prediction_shortcuts.py: 1 900 lookups, and the decision replay).
"""
from __future__ import annotations

import json
from collections import OrderedDict
from typing import Any, Dict, Hashable, List, Set, Tuple

from rasa.core.policies.rule_policy import RulePolicy

WRITTEN_FOR = {"rasa": "3.6.21"}  # the versions this patch was written and tested against

_rasa_get_possible_keys = RulePolicy._get_possible_keys
MEMO_SIZE = 20_000


def freeze(value: Any) -> Hashable:
    """A hashable twin of a state (dicts, lists and tuples of plain values)."""
    # Types tag containers: a list and a tuple with the same items differ to Rasa's rules.
    if isinstance(value, dict):
        return (dict,) + tuple(sorted((key, freeze(item)) for key, item in value.items()))
    if isinstance(value, (list, tuple)):
        return (type(value),) + tuple(freeze(item) for item in value)
    return value


class _RuleIndex:
    """The memo of one lookup table (rules, or rules for a loop's unhappy path)."""

    def __init__(self, lookup: Dict[str, str]) -> None:
        self.size = len(lookup)
        self.reach = max((len(json.loads(key)) for key in lookup), default=0)
        self.memo: "OrderedDict[Hashable, Set[str]]" = OrderedDict()


def _index(policy: RulePolicy, lookup: Dict[str, str]) -> _RuleIndex:
    indexes: Dict[int, _RuleIndex] = policy.__dict__.setdefault("_sesame_rule_indexes", {})
    index = indexes.get(id(lookup))
    if index is None or index.size != len(lookup):  # a table changed (only while training)
        index = indexes[id(lookup)] = _RuleIndex(lookup)
    return index


def get_possible_keys(self: RulePolicy, lookup: Dict[str, str], states: List[Dict[str, Any]]) -> Set[str]:
    """Rasa's answer, computed on the states a rule can see and remembered."""
    index = _index(self, lookup)
    recent = states[-index.reach:] if index.reach else []
    # Whether older turns exist matters to no rule (a turn beyond a rule's length always
    # passes), so only the recent states form the key.
    key: Tuple[Any, ...] = tuple(freeze(state) for state in recent)
    found = index.memo.get(key)
    if found is None:
        found = _rasa_get_possible_keys(self, lookup, recent)
        index.memo[key] = found
        if len(index.memo) > MEMO_SIZE:
            index.memo.popitem(last=False)
    else:
        index.memo.move_to_end(key)
    return set(found)


def install() -> None:
    RulePolicy._get_possible_keys = get_possible_keys  # type: ignore[method-assign]


def uninstall() -> None:
    RulePolicy._get_possible_keys = _rasa_get_possible_keys  # type: ignore[method-assign]

"""bot.runtime.states_cache: the same states as Rasa's, worked out once per unchanged tracker."""
from __future__ import annotations

from typing import Iterator

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.runtime import states_cache

DOMAIN = Domain.from_yaml("""
version: "3.1"
intents: [greet, ask_human]
entities: [commune]
slots:
  commune:
    type: text
    mappings: [{type: from_entity, entity: commune}]
actions: [action_human_contact]
responses:
  utter_greet: [{text: "Bonjour"}]
""")


def conversation() -> DialogueStateTracker:
    return DialogueStateTracker.from_events("t", [
        ActionExecuted("action_listen"),
        UserUttered("bonjour", {"name": "greet", "confidence": 1.0}),
        ActionExecuted("utter_greet"),
        ActionExecuted("action_listen"),
    ], DOMAIN.slots)


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> Iterator[list]:
    """Rasa's own computation, counted, behind the cache."""
    calls: list = []
    rasa = states_cache._rasa_past_states

    def counting(*args, **kwargs):
        calls.append(1)
        return rasa(*args, **kwargs)

    monkeypatch.setattr(states_cache, "_rasa_past_states", counting)
    states_cache.install()
    yield calls
    states_cache.uninstall()


def test_same_states_as_rasa_computed_once(counted: list) -> None:
    tracker = conversation()
    rule_only = {"slots": ["commune"], "loops": []}
    expected = states_cache._rasa_past_states(tracker, DOMAIN, rule_only_data=rule_only)
    counted.clear()
    for _ in range(3):
        assert tracker.past_states(DOMAIN, rule_only_data=rule_only) == expected
    assert len(counted) == 1


def test_callers_edits_do_not_leak(counted: list) -> None:
    tracker = conversation()
    first = tracker.past_states(DOMAIN)
    first[-2]["user"].pop("intent")  # what a policy does to the last message's state
    del first[-1]
    second = tracker.past_states(DOMAIN)
    assert second == states_cache._rasa_past_states(tracker, DOMAIN)
    assert second[-2]["user"]["intent"] == "greet"


def test_new_events_and_other_arguments_are_recomputed(counted: list) -> None:
    tracker = conversation()
    before = tracker.past_states(DOMAIN)
    tracker.update(UserUttered("je veux parler a quelqu'un", {"name": "ask_human", "confidence": 1.0}))
    tracker.update(SlotSet("commune", "Chambéry"))
    after = tracker.past_states(DOMAIN)
    assert after != before and after == states_cache._rasa_past_states(tracker, DOMAIN)
    assert after[-1]["user"]["intent"] == "ask_human"
    ignoring = tracker.past_states(DOMAIN, rule_only_data={"slots": ["commune"], "loops": []})
    assert ignoring == states_cache._rasa_past_states(tracker, DOMAIN, rule_only_data={"slots": ["commune"],
                                                                                        "loops": []})
    assert len(counted) == 3 + 2  # three through the cache, two direct references


def test_a_bounded_history_that_drops_its_oldest_event_is_recomputed(counted: list) -> None:
    tracker = DialogueStateTracker.from_events("t", conversation().events, DOMAIN.slots, max_event_history=4)
    before = tracker.past_states(DOMAIN)
    tracker.update(UserUttered("bonjour", {"name": "greet", "confidence": 1.0}))  # length stays 4
    assert len(tracker.events) == 4
    assert tracker.past_states(DOMAIN) == states_cache._rasa_past_states(tracker, DOMAIN) != before

"""bot.patches.states_cache: the same states as Rasa's, from one replay per unchanged tracker."""
from __future__ import annotations

from typing import Iterator

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.patches import states_cache

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


def rasa(tracker: DialogueStateTracker, **kwargs) -> list:
    """Rasa's own answer."""
    return states_cache._rasa_past_states(tracker, DOMAIN, **kwargs)


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> Iterator[list]:
    """The replays of the conversation, counted."""
    calls: list = []
    replay = states_cache.replay_steps

    def counting(*args, **kwargs):
        calls.append(1)
        return replay(*args, **kwargs)

    monkeypatch.setattr(states_cache, "replay_steps", counting)
    states_cache.install()
    yield calls
    states_cache.uninstall()


def test_same_states_as_rasa_from_one_replay(counted: list) -> None:
    tracker = conversation()
    rule_only = {"slots": ["commune"], "loops": []}
    for _ in range(3):
        assert tracker.past_states(DOMAIN, rule_only_data=rule_only) == rasa(tracker, rule_only_data=rule_only)
        ml_only = tracker.past_states(DOMAIN, ignore_rule_only_turns=True, rule_only_data=rule_only)
        assert ml_only == rasa(tracker, ignore_rule_only_turns=True, rule_only_data=rule_only)
    assert len(counted) == 1


def test_callers_edits_do_not_leak(counted: list) -> None:
    tracker = conversation()
    first = tracker.past_states(DOMAIN)
    first[-2]["user"].pop("intent")  # what a policy does to the last message's state
    del first[-1]
    second = tracker.past_states(DOMAIN)
    assert second == rasa(tracker)
    assert second[-2]["user"]["intent"] == "greet"


def test_new_events_and_other_arguments_are_recomputed(counted: list) -> None:
    tracker = conversation()
    before = tracker.past_states(DOMAIN)
    tracker.update(UserUttered("je veux parler a quelqu'un", {"name": "ask_human", "confidence": 1.0}))
    tracker.update(SlotSet("commune", "Chambéry"))
    after = tracker.past_states(DOMAIN)
    assert after != before and after == rasa(tracker)
    assert after[-1]["user"]["intent"] == "ask_human"
    rule_only = {"slots": ["commune"], "loops": []}
    assert tracker.past_states(DOMAIN, rule_only_data=rule_only) == rasa(tracker, rule_only_data=rule_only)
    assert tracker.past_states(DOMAIN, omit_unset_slots=True) == rasa(tracker, omit_unset_slots=True)
    assert len(counted) == 3  # before, after the new events, and without the unset slots


def test_a_bounded_history_that_drops_its_oldest_event_is_recomputed(counted: list) -> None:
    tracker = DialogueStateTracker.from_events("t", conversation().events, DOMAIN.slots, max_event_history=4)
    before = tracker.past_states(DOMAIN)
    tracker.update(UserUttered("bonjour", {"name": "greet", "confidence": 1.0}))  # length stays 4
    assert len(tracker.events) == 4
    assert tracker.past_states(DOMAIN) == rasa(tracker) != before


def test_every_story_and_rule_prefix_as_rasa(counted: list) -> None:
    """Sésame's own domain and training data: every prefix, with and without rule-only turns."""
    from rasa.shared.core.generator import TrainingDataGenerator
    from rasa.shared.importers.importer import TrainingDataImporter

    importer = TrainingDataImporter.load_from_config("config.yml", "domain", ["data"])
    domain = importer.get_domain()
    generator = TrainingDataGenerator(importer.get_stories(), domain, augmentation_factor=0,
                                      use_story_concatenation=False, remove_duplicates=True)
    # Some slots and a form treated as rule-only, so that their removal is compared too.
    rule_only = {"slots": [slot.name for slot in domain.slots][:3], "loops": list(domain.form_names)[:1]}
    assert rule_only["slots"] and rule_only["loops"]
    compared = 0
    for story in generator.generate():
        events = list(story.events)
        for end in range(1, len(events) + 1):
            tracker = DialogueStateTracker.from_events("t", events[:end], domain.slots)
            tracker.is_rule_tracker = story.is_rule_tracker
            for ignore in (False, True):
                ours = tracker.past_states(domain, ignore_rule_only_turns=ignore, rule_only_data=rule_only)
                theirs = states_cache._rasa_past_states(tracker, domain, ignore_rule_only_turns=ignore,
                                                         rule_only_data=rule_only)
                assert ours == theirs, (story.sender_id, end, ignore)
                compared += 1
    assert compared > 800

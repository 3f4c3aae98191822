""""La suite" / "voir plus" continue what Sésame showed last, whichever intent NLU chose.

Both intents share these words, so a resident reading a list of services may get
guide_next predicted, and one reading a guide may get catalogue_more.
"""
from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.catalogue.actions import ActionSearchServices
from actions.continuation.actions import ActionContinue
from actions.core.context import last_topic
from actions.guides.actions import ActionGuideStart
from tests.catalogue.test_actions import configured_db  # noqa: F401 - fixture


class Conversation:
    """Runs actions one after another, carrying their slot events like Rasa does."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.slots: dict[str, Any] = {}

    def turn(self, action, text: str, entities: list[dict] | None = None, intent: str = "") -> list[dict[str, Any]]:
        tracker = Tracker(sender_id="context", slots=dict(self.slots),
                          latest_message={"text": text, "entities": entities or [],
                                          "intent": {"name": intent} if intent else {}},
                          events=list(self.events), paused=False, followup_action=None, active_loop={},
                          latest_action_name="action_listen")
        dispatcher = CollectingDispatcher()
        events = asyncio.run(action.run(dispatcher, tracker, {}))
        for event in events:
            self.slots[event["name"]] = event["value"]
        self.events += [{"event": "user", "text": text}, {"event": "action", "name": action.name()}, *events]
        return dispatcher.messages


def test_la_suite_after_a_list_of_services_shows_more_services(configured_db) -> None:
    chat = Conversation()
    chat.turn(ActionGuideStart(), "/ask_guide", [{"entity": "guide", "value": "rsa"}])
    chat.turn(ActionSearchServices(), "/search_service", [{"entity": "public", "value": "seniors"}])
    messages = chat.turn(ActionContinue(), "la suite", intent="guide_next")  # NLU said guide_next
    assert messages[0]["response"] == "utter_catalogue_results"
    assert messages[0]["cartes"].startswith("4. ")
    messages = chat.turn(ActionContinue(), "encore", intent="catalogue_more")
    # Still the list of services (it has no third page), not the RSA guide read earlier.
    assert messages[0]["response"] == "utter_catalogue_no_more"
    assert chat.slots["guide_page"] == 0.0


def test_voir_plus_while_reading_a_guide_shows_its_next_step(configured_db) -> None:
    chat = Conversation()
    chat.turn(ActionSearchServices(), "/search_service", [{"entity": "public", "value": "seniors"}])
    chat.turn(ActionGuideStart(), "/ask_guide", [{"entity": "guide", "value": "portage-repas"}])
    messages = chat.turn(ActionContinue(), "voir plus", intent="catalogue_more")  # NLU said catalogue_more
    assert messages[0]["response"] in {"utter_guide_page", "utter_guide_end"}
    assert chat.slots["guide_page"] == 1.0


def test_without_anything_shown_the_intent_decides(configured_db) -> None:
    assert Conversation().turn(ActionContinue(), "voir plus", intent="catalogue_more")[0]["response"] \
        == "utter_catalogue_ask_need"
    assert Conversation().turn(ActionContinue(), "la suite", intent="guide_next")[0]["response"] \
        != "utter_catalogue_ask_need"
    assert last_topic([]) is None
    assert last_topic([{"event": "slot", "name": "guide_page", "value": 0.0},
                       {"event": "action", "name": "action_listen"},
                       {"event": "slot", "name": "catalogue_offset", "value": 3.0}]) == "catalogue"

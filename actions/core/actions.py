"""Thin Rasa actions for the core conversation."""
from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from actions.core.contacts import human_contact_message
from actions.core.fallback import fallback_stage

logger = logging.getLogger(__name__)

HUMAN_BUTTONS = [
    {"title": "Parler à une personne", "payload": "/ask_human"},
    {"title": "Voir le menu", "payload": "/help"},
]


class ActionHumanContact(Action):
    """Give the ways to reach a person (sourced contacts), with a way back to the menu."""

    def name(self) -> str:
        return "action_human_contact"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        dispatcher.utter_message(text=human_contact_message(), buttons=HUMAN_BUTTONS)
        return []


class ActionSesameFallback(Action):
    """Ask to rephrase once; after a second misunderstanding, hand over to a person (with consent).

    The handoff form starts at once with its consent question, which also gives a way out:
    "non" gets the sourced phone numbers and nothing is shared.
    """

    def name(self) -> str:
        return "action_sesame_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        if not tracker.active_loop_name:  # the model did not know the words; the lexicon may know the need
            from actions.catalogue.actions import say_services_if_understood

            try:
                events = await say_services_if_understood(dispatcher, tracker)
            except Exception:  # noqa: BLE001 - the usual fallback follows
                logger.exception("catalogue look-up from the fallback failed")
                events = None
            if events is not None:
                return events
        if fallback_stage(tracker.events) == "rephrase":
            dispatcher.utter_message(response="utter_ask_rephrase")
            return [UserUtteranceReverted()]
        dispatcher.utter_message(response="utter_fallback_sorry")
        if tracker.active_loop_name:  # inside a form, the form's own question comes back
            dispatcher.utter_message(text=human_contact_message(), buttons=HUMAN_BUTTONS)
            return [UserUtteranceReverted()]
        return [UserUtteranceReverted(), FollowupAction("handoff_form")]

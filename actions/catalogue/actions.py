"""Rasa custom actions for the catalogue: a thin layer over :mod:`actions.catalogue.conversation`."""
from __future__ import annotations

import asyncio
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.catalogue.conversation import PAGE_SIZE, Reply, answer, filters_from_entities

logger = logging.getLogger(__name__)


def _say(dispatcher: CollectingDispatcher, reply: Reply) -> list[dict[str, Any]]:
    for response, variables in reply.responses:
        dispatcher.utter_message(response=response, **variables)
    return [SlotSet(name, value) for name, value in reply.slots.items()]


def _failed(dispatcher: CollectingDispatcher, exc: Exception) -> list[dict[str, Any]]:
    # No message text or identifiers in logs: only what broke.
    logger.error("catalogue search failed: %s", type(exc).__name__, exc_info=exc)
    dispatcher.utter_message(response="utter_catalogue_error")
    return []


async def say_services_if_understood(dispatcher: CollectingDispatcher, tracker: Tracker) -> list | None:
    """Answer with services when the lexicon recognises a theme in the latest message; else None."""
    from actions.catalogue.conversation import answer_if_understood
    from actions.core.crisis import crisis_response

    urgent = crisis_response(tracker.latest_message)
    if urgent:  # the words name an emergency: its numbers, not a list of services
        dispatcher.utter_message(response=urgent)
        return []
    reply = await asyncio.to_thread(answer_if_understood, (tracker.latest_message or {}).get("text") or "")
    return None if reply is None else _say(dispatcher, reply)


class ActionSearchServices(Action):
    """Search the catalogue for the resident's latest request."""

    def name(self) -> str:
        return "action_search_services"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list:
        try:
            message = tracker.latest_message or {}
            from actions.core.crisis import crisis_response

            urgent = crisis_response(message)
            if urgent:  # the words name an emergency: its numbers come first, then the services
                dispatcher.utter_message(response=urgent)
            filters = filters_from_entities(message.get("entities") or [])
            # The search reads SQL: off the event loop, so other residents' turns go on meanwhile.
            return _say(dispatcher, await asyncio.to_thread(answer, message.get("text") or "", filters))
        except Exception as exc:  # noqa: BLE001 - the resident must always get an answer
            return _failed(dispatcher, exc)


async def show_more(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[dict[str, Any]]:
    """The next results of the previous search ("voir plus"); actions/continuation decides when."""
    try:
        text = tracker.get_slot("catalogue_demande")
        filters = tracker.get_slot("catalogue_filtres") or {}
        if text is None and not filters:
            dispatcher.utter_message(response="utter_catalogue_ask_need")
            return []
        offset = int(tracker.get_slot("catalogue_offset") or 0) + PAGE_SIZE
        return _say(dispatcher, await asyncio.to_thread(answer, text or "", dict(filters), offset=offset))
    except Exception as exc:  # noqa: BLE001 - the resident must always get an answer
        return _failed(dispatcher, exc)

"""Rasa custom actions for the catalogue: a thin layer over :mod:`actions.catalogue.conversation`.

The search reads SQL, so it runs off the event loop (other residents' turns go on meanwhile);
its :class:`~actions.common.reply.Reply` is sent by :func:`actions.common.dispatch.send`, and a
failure is told by :func:`actions.common.dispatch.apologise` (``utter_catalogue_error``).
"""
from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.catalogue.conversation import PAGE_SIZE, answer, answer_if_understood, filters_from_entities
from actions.common.dispatch import apologise, send
from actions.core.crisis import crisis_response

APOLOGY = "utter_catalogue_error"


async def say_services_if_understood(dispatcher: CollectingDispatcher, tracker: Tracker) -> list | None:
    """Answer with services when the lexicon recognises a theme in the latest message; else None."""
    urgent = crisis_response(tracker.latest_message)
    if urgent:  # the words name an emergency: its numbers, not a list of services
        dispatcher.utter_message(response=urgent)
        return []
    reply = await asyncio.to_thread(answer_if_understood, (tracker.latest_message or {}).get("text") or "")
    return None if reply is None else send(dispatcher, reply)


class ActionSearchServices(Action):
    """Search the catalogue for the resident's latest request."""

    def name(self) -> str:
        return "action_search_services"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list:
        try:
            message = tracker.latest_message or {}
            urgent = crisis_response(message)
            if urgent:  # the words name an emergency: its numbers come first, then the services
                dispatcher.utter_message(response=urgent)
            filters = filters_from_entities(message.get("entities") or [])
            return send(dispatcher, await asyncio.to_thread(answer, message.get("text") or "", filters))
        except Exception as exc:  # noqa: BLE001 - the resident must always get an answer
            apologise(dispatcher, exc, APOLOGY, "catalogue search")
            return []


async def show_more(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[dict[str, Any]]:
    """The next results of the previous search ("voir plus"); actions/continuation decides when."""
    try:
        text = tracker.get_slot("catalogue_demande")
        filters = tracker.get_slot("catalogue_filtres") or {}
        if text is None and not filters:
            dispatcher.utter_message(response="utter_catalogue_ask_need")
            return []
        offset = int(tracker.get_slot("catalogue_offset") or 0) + PAGE_SIZE
        return send(dispatcher, await asyncio.to_thread(answer, text or "", dict(filters), offset=offset))
    except Exception as exc:  # noqa: BLE001 - the resident must always get an answer
        apologise(dispatcher, exc, APOLOGY, "catalogue search")
        return []

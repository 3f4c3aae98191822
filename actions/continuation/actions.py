"""'La suite', 'voir plus', 'encore': one continuation for whatever the resident was reading.

The NLU model tells "la suite" (guide_next) from "voir plus" (catalogue_more) by the words,
but residents use either for either: what they want is more of what was shown last. Both
intents run this one action, ``action_continue``; :func:`actions.core.context.last_topic` says whether a
guide or a list of services was shown last, and only when neither was does the intent
decide. It sits above the catalogue and the guides, so neither imports the other for it.
"""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.catalogue.actions import show_more
from actions.core.context import last_topic
from actions.guides.actions import next_page


async def continue_reading(dispatcher: CollectingDispatcher, tracker: Tracker, asked: str) -> list:
    """More of what was shown last; ``asked`` ("guide" or "catalogue") when nothing was."""
    topic = last_topic(tracker.events) or asked
    if topic == "guide":
        return next_page(dispatcher, tracker)
    return await show_more(dispatcher, tracker)


class ActionContinue(Action):
    """The continuation, for both intents; the intent only decides when nothing was shown yet."""

    def name(self) -> str:
        return "action_continue"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        return await continue_reading(dispatcher, tracker, asked="guide" if intent == "guide_next" else "catalogue")

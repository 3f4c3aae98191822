"""Thin Rasa actions for the guides: read the state, ask conversation.py, send the reply.

State lives in 2 slots: `guide_id` (the open guide) and `guide_page` (the page
shown last). Any failure still answers kindly and offers a person (``utter_guide_error``,
through :func:`actions.common.dispatch.answer`).
"""
from __future__ import annotations

import logging
from abc import ABCMeta, abstractmethod
from typing import Any, Callable

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.catalogue.actions import say_services_if_understood
from actions.common.dispatch import answer
from actions.common.reply import Reply
from actions.guides import conversation
from actions.guides.library import catalogue_services, load_glossary, load_library

logger = logging.getLogger(__name__)

ERROR_RESPONSE = "utter_guide_error"


def _latest_entity(tracker: Tracker, name: str) -> str | None:
    return next(tracker.get_latest_entity_values(name), None)


class _GuideAction(Action, metaclass=ABCMeta):
    """Shared run(): compute the reply, and on any error answer kindly with a human option."""

    action_name = ""

    def name(self) -> str:
        return self.action_name

    @abstractmethod
    def reply(self, tracker: Tracker) -> Reply:
        """The reply for the resident's latest message."""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        return _answer(dispatcher, lambda: self.reply(tracker), self.action_name)


def _answer(dispatcher: CollectingDispatcher, reply: Callable[[], Reply], action_name: str) -> list:
    """Send the reply; on any error answer kindly with a human option (only the action's name is logged)."""
    return answer(dispatcher, reply, apology=ERROR_RESPONSE, where=f"guide action {action_name}")


def _state(tracker: Tracker) -> tuple[str | None, float | None]:
    return tracker.get_slot("guide_id"), tracker.get_slot("guide_page")


class ActionGuideStart(_GuideAction):
    """Open the guide the resident asks about (or ask which one, or show topics)."""

    action_name = "action_guide_start"

    def reply(self, tracker: Tracker) -> Reply:
        text = tracker.latest_message.get("text") or ""
        return conversation.start(text, _latest_entity(tracker, "guide"), load_library(), catalogue_services())

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        """No guide for these words, but the catalogue knows the need: its services, not a menu."""
        if _latest_entity(tracker, "guide") is None:
            events = await _services_instead_of(conversation.RESPONSE_TOPICS, self, dispatcher, tracker)
            if events is not None:
                return events
        return await super().run(dispatcher, tracker, domain)


async def _services_instead_of(response: str, action: "_GuideAction", dispatcher: CollectingDispatcher,
                               tracker: Tracker) -> list | None:
    """The catalogue's services when the guide would only say ``response`` (a menu, "mot inconnu")
    and the catalogue understands the message; None to let the guide answer."""
    try:
        if action.reply(tracker).messages[0].response == response:
            return await say_services_if_understood(dispatcher, tracker)
    except Exception:  # noqa: BLE001 - the guide's own answer follows
        logger.exception("catalogue look-up from %s failed", action.action_name)
    return None


def next_page(dispatcher: CollectingDispatcher, tracker: Tracker) -> list:
    """'La suite': the next page of the open guide (actions/continuation decides when)."""
    return _answer(dispatcher, lambda: conversation.advance(*_state(tracker), load_library(), catalogue_services()),
                   "action_guide_next")


class ActionGuideRepeat(_GuideAction):
    """'Répète': show the same page again."""

    action_name = "action_guide_repeat"

    def reply(self, tracker: Tracker) -> Reply:
        return conversation.repeat(*_state(tracker), load_library(), catalogue_services())


class ActionGuideSimpler(_GuideAction):
    """'Plus simple': say the same page with fewer words."""

    action_name = "action_guide_simpler"

    def reply(self, tracker: Tracker) -> Reply:
        return conversation.simplify(*_state(tracker), load_library(), catalogue_services())


class ActionGuideDocuments(_GuideAction):
    """'La liste des papiers': one message to keep, short enough for SMS."""

    action_name = "action_guide_documents"

    def reply(self, tracker: Tracker) -> Reply:
        return conversation.documents(*_state(tracker), load_library())


class ActionGuideExplain(_GuideAction):
    """Explain a jargon word from the glossary."""

    action_name = "action_guide_explain"

    def reply(self, tracker: Tracker) -> Reply:
        guide_id, index = _state(tracker)
        return conversation.explain_word(
            tracker.latest_message.get("text") or "",
            _latest_entity(tracker, "term"),
            load_glossary(),
            load_library(),
            guide_id,
            index,
        )

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        """A word the glossary does not know may be a service's name ("c'est quoi Médiavue ?"): its card."""
        events = await _services_instead_of(conversation.RESPONSE_EXPLAIN_UNKNOWN, self, dispatcher, tracker)
        return events if events is not None else await super().run(dispatcher, tracker, domain)

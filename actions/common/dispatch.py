"""The one way to send a :class:`~actions.common.reply.Reply` through Rasa, and the one apology.

Every Rasa action of the catalogue, the guides and the booking ends with :func:`send` (or
:func:`utter` inside a form validator); a failure is told by :func:`apologise`, which logs only
what broke (never the resident's words or identifiers) and says the capability's apology, whose
domain response offers a person (its "Parler à une personne" button leads to the handoff,
which gives the sourced contacts when a case cannot be created).
"""
from __future__ import annotations

import logging
import traceback
from typing import Any, Callable, Iterable

from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common.reply import Message, Reply

log = logging.getLogger(__name__)


def utter(dispatcher: CollectingDispatcher, messages: Iterable[Message]) -> None:
    """Say the messages in order through the dispatcher."""
    for message in messages:
        kwargs: dict[str, Any] = dict(message.variables)
        if message.buttons:
            kwargs["buttons"] = [dict(b) for b in message.buttons]
        if message.text is not None:
            kwargs["text"] = message.text
        if message.response is not None:
            kwargs["response"] = message.response
        dispatcher.utter_message(**kwargs)


def send(dispatcher: CollectingDispatcher, answer: Reply) -> list[EventType]:
    """Say the reply's messages; return its slot events (and follow-up) for the action to return."""
    utter(dispatcher, answer.messages)
    events: list[EventType] = [SlotSet(name, value) for name, value in answer.slots.items()]
    if answer.followup:
        events.append(FollowupAction(answer.followup))
    return events


def apologise(dispatcher: CollectingDispatcher, exc: BaseException, response: str, where: str) -> None:
    """Something broke: log only what broke, then say ``response``.

    The log has the exception's type and where it was raised (the frames), never its message,
    which may quote the resident's words or number. Every capability's apology
    (``utter_booking_error``, ``utter_catalogue_error``, ``utter_guide_error``) says sorry and
    carries the "Parler à une personne" button.
    """
    frames = "".join(traceback.format_tb(exc.__traceback__))
    log.error("%s failed: %s\n%s", where, type(exc).__name__, frames.rstrip())
    dispatcher.utter_message(response=response)


def answer(dispatcher: CollectingDispatcher, decide: Callable[[], Reply], *, apology: str, where: str,
           on_failure: Reply = Reply()) -> list[EventType]:
    """Send what ``decide`` returns; if it raises, apologise and send ``on_failure`` (its slots)."""
    try:
        result = decide()
    except Exception as exc:  # noqa: BLE001 - the resident must always get an answer
        apologise(dispatcher, exc, apology, where)
        return send(dispatcher, on_failure)
    return send(dispatcher, result)

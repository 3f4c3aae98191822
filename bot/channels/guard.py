"""No resident is left without a reply.

Rasa keeps going when a custom action fails (the action server is down, a bug),
and the resident may then receive nothing at all. ``never_silent`` wraps the
message handler a channel receives: when a turn produced no message, or raised,
it sends a short apology with the human contacts instead. It also keeps the
message text out of the logs (Rasa's own error log would print it).
"""
from __future__ import annotations

import logging
from typing import Awaitable, Callable

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from actions.common.privacy import pseudonym
from actions.core.contacts import human_contact_message

logger = logging.getLogger(__name__)

Handler = Callable[[UserMessage], Awaitable[None]]


def no_answer_text() -> str:
    """The apology sent when Sésame could not answer; it always leads to a person."""
    return "Désolé, je n'ai pas pu répondre. Réessayez dans un instant.\n" + human_contact_message()


def never_silent(on_new_message: Handler) -> Handler:
    """Wrap ``on_new_message`` so that every turn sends at least one message."""

    async def guarded(message: UserMessage) -> None:
        output = message.output_channel
        collected = isinstance(output, CollectingOutputChannel)
        before = len(output.messages) if collected else 0
        try:
            await on_new_message(message)
        except Exception:  # the resident must still get an answer; details go to the log
            logger.exception("turn failed for %s", pseudonym(message.sender_id or ""))
            await output.send_text_message(message.sender_id, no_answer_text())
            return
        if collected and len(output.messages) == before:
            logger.warning("turn produced no reply for %s", pseudonym(message.sender_id or ""))
            await output.send_text_message(message.sender_id, no_answer_text())

    return guarded

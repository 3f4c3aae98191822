"""No resident is left without a reply.

Rasa keeps going when a custom action fails (the action server is down, a bug),
and the resident may then receive nothing at all. ``never_silent`` wraps the
message handler a channel receives: when a turn produced no message, or raised,
it sends a short apology with the human contacts instead. It also keeps the
message text out of the logs (Rasa's own error log would print it).

One silence is right: while a conseiller has the conversation (Rasa's
ConversationPaused), the bot says nothing and the conseiller answers. Even then an
urgent message gets its national number at once, and the case is flagged urgent.
"""
from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timezone
from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from sanic.exceptions import SanicException

from actions.common.privacy import pseudonym
from actions.core.contacts import human_contact_message

logger = logging.getLogger(__name__)

Handler = Callable[[UserMessage], Awaitable[None]]

URGENT_RESPONSES = {
    "urgent_shelter": "utter_urgent_shelter",
    "urgent_violence": "utter_urgent_violence",
    "urgent_child": "utter_urgent_child",
    "urgent_suicide": "utter_urgent_suicide",
    "urgent_medical": "utter_urgent_medical",
}


def _agent() -> Any | None:
    """The running Rasa agent (None outside a Rasa server, e.g. in a channel's unit test)."""
    from sanic import Sanic

    for name in ("rasa_server", "rasa_core_no_api"):
        try:
            return Sanic.get_app(name).ctx.agent
        except (SanicException, AttributeError):
            continue
    return None


def _flag_urgent(conversation_id: str) -> None:
    from actions.common.db import get_engine, session_scope
    from actions.handoff.cases import flag_urgent

    with session_scope(get_engine()) as session:
        flag_urgent(session, conversation_id, datetime.now(timezone.utc))


async def answered_by_a_person(message: UserMessage) -> bool:
    """True when a conseiller has this conversation; an urgent message is then still answered."""
    agent = _agent()
    if agent is None or agent.tracker_store is None:
        return False
    tracker = await agent.tracker_store.retrieve(message.sender_id)
    if tracker is None or not tracker.is_paused():
        return False
    intent = (tracker.latest_message.intent or {}).get("name") if tracker.latest_message else None
    response = URGENT_RESPONSES.get(intent or "")
    if response:
        from rasa.core.policies.policy import PolicyPrediction

        async with agent.lock_store.lock(message.sender_id):
            # The response, then action_listen: the tracker must end a turn as Rasa ends one,
            # or the first message after the hand-back would get no prediction.
            for name in (response, "action_listen"):
                await agent.processor.execute_action(
                    message.sender_id, name, message.output_channel, agent.processor.nlg,
                    PolicyPrediction.for_action_name(agent.domain, name),
                )
        try:
            await asyncio.to_thread(_flag_urgent, message.sender_id)
        except Exception:  # the number was given; the flag is for the console
            logger.exception("could not flag the case of %s as urgent", pseudonym(message.sender_id))
    return True


def no_answer_text() -> str:
    """The apology sent when Sésame could not answer; it always leads to a person."""
    return "Désolé, je n'ai pas pu répondre. Réessayez dans un instant.\n" + human_contact_message()


def never_silent(on_new_message: Handler) -> Handler:
    """Wrap ``on_new_message`` so that every turn sends at least one message."""

    async def guarded(message: UserMessage) -> None:
        output = message.output_channel
        # Rasa's streamed REST turns (?stream=true) collect into an asyncio.Queue, which has no
        # len(): counting it raised here, Rasa never closed the stream and the request hung.
        # Those turns are not checked for silence; every list-collecting channel is.
        collected = isinstance(output, CollectingOutputChannel) and isinstance(output.messages, list)
        before = len(output.messages) if collected else 0
        try:
            await on_new_message(message)
        except Exception:  # the resident must still get an answer; details go to the log
            logger.exception("turn failed for %s", pseudonym(message.sender_id or ""))
            await output.send_text_message(message.sender_id, no_answer_text())
            return
        if collected and len(output.messages) == before:
            try:
                if await answered_by_a_person(message):
                    return
            except Exception:  # never let the check itself silence a resident
                logger.exception("pause check failed for %s", pseudonym(message.sender_id or ""))
            logger.warning("turn produced no reply for %s", pseudonym(message.sender_id or ""))
            await output.send_text_message(message.sender_id, no_answer_text())

    return guarded

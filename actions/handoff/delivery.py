"""A conseiller's words reach the resident on the resident's own channel, and are never lost.

Every message is first written to ``handoff_messages`` in the caller's transaction. Then:
- web chat and REST: the browser (or client) fetches them from the web server
  (``GET /chat/messages``), so they survive a page reload or a closed tab. Rasa 3.6 cannot
  rebuild a socket.io output channel from another process, and with several Rasa replicas
  the resident's socket may be on any of them: a durable pull is the one path that works.
- SMS and Telegram: the message also goes to the notification outbox, in the same
  transaction; the worker sends it with retries (an opted-out number gets nothing).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from actions.handoff import cases
from actions.handoff.models import Case, CaseMessage
from actions.notifications.outbox import enqueue

PULL_CHANNELS = {"socketio", "rest", "cmdline"}
PUSH_CHANNELS = {"sms", "telegram"}
KIND = "handoff_message"


class NoWayToReachResident(LookupError):
    """The case's channel needs an address (a phone number) that is no longer known."""


def _recipient(case: Case) -> str:
    if case.channel == "telegram":
        return case.conversation_id
    if case.channel == "sms":
        from messaging.state.store import phone_for_sender

        phone = case.phone or phone_for_sender(case.conversation_id)
        if not phone:
            raise NoWayToReachResident(case.reference)
        return phone
    raise NoWayToReachResident(case.channel)


def send_to_resident(session: Session, case: Case, author: str, body: str, now: datetime) -> CaseMessage:
    """Record the message and route it; the caller commits (both happen, or neither)."""
    message = cases.add_message(session, case, author, body, now)
    if case.channel in PUSH_CHANNELS:
        enqueue(session, dedupe_key=f"{KIND}:{message.id}", kind=KIND, channel=case.channel,
                recipient=_recipient(case), body=body, due_at=now, now=now)
    return message


def pending_for_browser(session: Session, conversation_id: str, after_id: int) -> list[dict]:
    """What the web chat shows, oldest first: id (to ask for what comes after), author, text."""
    return [
        {"id": m.id, "author": m.author, "text": m.body, "at": m.created_at.isoformat() + "Z"}
        for m in cases.messages_after(session, conversation_id, after_id)
    ]

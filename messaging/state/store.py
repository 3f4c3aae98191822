"""Reads and writes of the channels' state, shared by the Rasa channels and the notification worker.

Every function takes the engine explicitly (default: the app database) so tests
and workers choose their database.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from messaging.state.models import SmsContact, SmsOptOut, SmsRateWindow, TelegramCallback
from actions.common.db import get_engine, session_scope
from actions.common.privacy import pseudonym


def _now() -> datetime:
    return datetime.now(timezone.utc)


def sms_sender_id(e164: str) -> str:
    """The conversation id of an SMS resident: their pseudonym, so trackers never hold the number."""
    return pseudonym(e164)


# ---------------------------------------------------------------- opt-out

def opt_out(e164: str, keyword: str, engine: Engine | None = None) -> None:
    """Record STOP: from now on nothing is sent to this number."""
    key = pseudonym(e164)
    with session_scope(engine or get_engine()) as session:
        if session.get(SmsOptOut, key) is None:
            session.add(SmsOptOut(number_key=key, keyword=keyword[:20], opted_out_at=_now()))


def opt_in(e164: str, engine: Engine | None = None) -> bool:
    """Record START; True if the number had opted out."""
    with session_scope(engine or get_engine()) as session:
        result = session.execute(delete(SmsOptOut).where(SmsOptOut.number_key == pseudonym(e164)))
        return bool(result.rowcount)


def is_opted_out(e164: str, engine: Engine | None = None) -> bool:
    with session_scope(engine or get_engine()) as session:
        return session.get(SmsOptOut, pseudonym(e164)) is not None


# ---------------------------------------------------------------- contacts and last choices

def remember_contact(e164: str, choices: list[dict[str, str]] | None, engine: Engine | None = None) -> str:
    """Store the number behind the conversation and, when given, the last question's choices."""
    sender_id = sms_sender_id(e164)
    with session_scope(engine or get_engine()) as session:
        contact = session.get(SmsContact, sender_id)
        if contact is None:
            contact = SmsContact(sender_id=sender_id, phone_e164=e164, last_choices="[]")
            session.add(contact)
        contact.phone_e164 = e164
        contact.updated_at = _now()
        if choices is not None:
            contact.last_choices = json.dumps(choices, ensure_ascii=False)
    return sender_id


def last_choices(e164: str, engine: Engine | None = None) -> list[dict[str, str]]:
    """The buttons of the last question sent to this number (empty if none)."""
    with session_scope(engine or get_engine()) as session:
        contact = session.get(SmsContact, sms_sender_id(e164))
        return json.loads(contact.last_choices) if contact else []


def phone_for_sender(sender_id: str, engine: Engine | None = None) -> str | None:
    """The number behind an SMS conversation id, to reply outside a webhook."""
    with session_scope(engine or get_engine()) as session:
        contact = session.get(SmsContact, sender_id)
        return contact.phone_e164 if contact else None


def purge_sms_contacts(before: datetime, engine: Engine | None = None) -> int:
    """Forget numbers not heard from since ``before`` (retention: keep personal data only while useful)."""
    with session_scope(engine or get_engine()) as session:
        return session.execute(delete(SmsContact).where(SmsContact.updated_at < before)).rowcount


# ---------------------------------------------------------------- rate limit

@dataclass(frozen=True)
class RateDecision:
    """Whether to process a message; ``notify`` is True once per window when the limit is hit."""

    allowed: bool
    notify: bool
    count: int


def count_message(
    e164: str, limit: int, window: timedelta, engine: Engine | None = None, now: datetime | None = None
) -> RateDecision:
    """Count one inbound message in the current fixed window and decide."""
    now = now or _now()
    epoch = datetime(1970, 1, 1, tzinfo=timezone.utc)
    seconds = int(window.total_seconds())
    start = epoch + timedelta(seconds=(int((now - epoch).total_seconds()) // seconds) * seconds)
    key = pseudonym(e164)
    engine = engine or get_engine()
    for _attempt in range(3):
        try:
            with session_scope(engine) as session:
                row = session.get(SmsRateWindow, (key, start))
                if row is None:
                    row = SmsRateWindow(number_key=key, window_start=start, count=0, notified=False)
                    session.add(row)
                    session.flush()
                session.execute(
                    update(SmsRateWindow)
                    .where(SmsRateWindow.number_key == key, SmsRateWindow.window_start == start)
                    .values(count=SmsRateWindow.count + 1)
                )
                session.refresh(row)
                if row.count <= limit:
                    return RateDecision(True, False, row.count)
                notify = not row.notified
                row.notified = True
                return RateDecision(False, notify, row.count)
        except IntegrityError:
            continue  # another request created the window first: count again
    return RateDecision(False, False, limit + 1)


def purge_rate_windows(before: datetime, engine: Engine | None = None) -> int:
    """Drop finished windows (they only matter while they run)."""
    with session_scope(engine or get_engine()) as session:
        return session.execute(delete(SmsRateWindow).where(SmsRateWindow.window_start < before)).rowcount


# ---------------------------------------------------------------- Telegram callbacks

def save_callback(callback_id: str, payload: str, engine: Engine | None = None) -> None:
    """Remember which payload a short callback id stands for (idempotent)."""
    engine = engine or get_engine()
    try:
        with session_scope(engine) as session:
            if session.get(TelegramCallback, callback_id) is None:
                session.add(TelegramCallback(callback_id=callback_id, payload=payload, created_at=_now()))
    except IntegrityError:
        pass  # saved concurrently with the same content


def payload_for_callback(callback_id: str, engine: Engine | None = None) -> str | None:
    with session_scope(engine or get_engine()) as session:
        row = session.execute(
            select(TelegramCallback.payload).where(TelegramCallback.callback_id == callback_id)
        ).scalar_one_or_none()
        return row

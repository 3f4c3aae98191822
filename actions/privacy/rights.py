"""What Sésame holds on one conversation, and its erasure (GDPR articles 15 and 17).

A conversation is the only key Sésame has on a resident: the web chat's random
session id, the pseudonym of an SMS number, a Telegram chat id. Everything found
under that key is gathered here: the messages (Rasa's tracker store), the cases,
consents and conseiller messages, the appointments and their contact data, the
SMS number and the messages waiting in the outbox, and in production the copies of its events
not yet published to RabbitMQ (the ``event_outbox`` table of the tracker database,
bot/production/event_broker.py).

Erasure removes all of it, with two exceptions the resident is told about:
- an SMS opt-out (STOP) is kept, keyed by a pseudonym only, or Sésame would write
  again to someone who asked it not to;
- a booked appointment stays booked (the place is kept for them) but loses the first
  name, the phone and the chat id, so no reminder is sent any more.
The console's audit log keeps "who looked at case N" without any resident data.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, inspect, or_, select, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from actions.booking.models import STATUS_BOOKED, Appointment, AppointmentEvent, Place
from messaging.state.models import SmsContact, SmsRateWindow
from actions.common.privacy import mask_phone
from actions.handoff.cases import naive_utc
from actions.handoff.models import Case, CaseMessage, CaseNote, Consent
from actions.notifications.models import CANCELLED, PENDING, Notification
from actions.privacy.models import ErasureRequest

#: The conversation is erased from the tracker store once it has been quiet this long.
QUIET_BEFORE_ERASING = timedelta(seconds=3)
#: Events written up to this long after the request belong to the turn that asked.
TURN_MARGIN = timedelta(seconds=30)
#: The production event broker's outbox, in the tracker database (DEFAULT_TABLE of
#: bot/production/event_broker.py; not imported: the action server does not load Rasa).
EVENT_OUTBOX = "event_outbox"


@dataclass(frozen=True)
class Line:
    """One message of the conversation, as the resident saw it."""

    at: datetime
    author: str  # "vous", "Sésame" or the conseiller's display name
    text: str


@dataclass(frozen=True)
class CaseFacts:
    reference: str
    status: str
    created_at: datetime
    contact_mode: str
    phone: str
    availability: str
    summary: str


@dataclass(frozen=True)
class AppointmentFacts:
    reference: str
    starts_at: datetime
    place: str
    status: str
    first_name: str
    phone: str


@dataclass
class PersonalData:
    """Everything stored under one conversation id."""

    conversation_id: str
    messages: list[Line] = field(default_factory=list)
    cases: list[CaseFacts] = field(default_factory=list)
    consents: list[tuple[datetime, str]] = field(default_factory=list)
    appointments: list[AppointmentFacts] = field(default_factory=list)
    sms_phone: str = ""
    pending_messages: int = 0
    #: Copies of this conversation's events waiting to be published to RabbitMQ (production).
    unpublished_events: int = 0

    @property
    def is_empty(self) -> bool:
        return not (self.messages or self.cases or self.consents or self.appointments or self.sms_phone
                    or self.unpublished_events)


@dataclass(frozen=True)
class Erased:
    """What an erasure removed, to tell the resident plainly."""

    cases: int
    consents: int
    appointments_kept: list[datetime]
    outbox: int
    sms_number: bool


def _has_events(engine: Engine) -> bool:
    database = engine.url.database
    if engine.url.get_backend_name() == "sqlite" and database and not Path(database).exists():
        return False
    return inspect(engine).has_table("events")


def _has_outbox(engine: Engine) -> bool:
    """Only production's event broker creates the outbox (``make run`` has none)."""
    return engine.url.get_backend_name() == "postgresql" and inspect(engine).has_table(EVENT_OUTBOX)


def _unpublished_events(tracker: Engine, conversation_id: str) -> int:
    if not _has_outbox(tracker):
        return 0
    with tracker.connect() as connection:
        return int(connection.execute(text(f"SELECT COUNT(*) FROM {EVENT_OUTBOX} WHERE sender_id = :s"),
                                      {"s": conversation_id}).scalar() or 0)


def _tracker_lines(tracker: Engine, conversation_id: str) -> list[Line]:
    """The resident's and the bot's messages, in order (no internal events)."""
    if not _has_events(tracker):
        return []
    with tracker.connect() as connection:
        rows = connection.execute(text(
            "SELECT data FROM events WHERE sender_id = :sender AND type_name IN ('user', 'bot') ORDER BY id"),
            {"sender": conversation_id}).scalars().all()
    lines = []
    for raw in rows:
        event = json.loads(raw)
        words = (event.get("text") or "").strip()
        if not words or words.startswith("/"):  # a button's payload, not words the resident wrote
            continue
        at = datetime.utcfromtimestamp(float(event.get("timestamp") or 0))
        lines.append(Line(at, "vous" if event.get("event") == "user" else "Sésame", words))
    return lines


def collect(session: Session, tracker: Engine, conversation_id: str) -> PersonalData:
    """Gather what Sésame holds under ``conversation_id`` (nothing is changed)."""
    data = PersonalData(conversation_id, messages=_tracker_lines(tracker, conversation_id))
    case_list = list(session.scalars(select(Case).where(Case.conversation_id == conversation_id).order_by(Case.id)))
    for case in case_list:
        data.cases.append(CaseFacts(case.reference, case.status, case.created_at, case.contact_mode,
                                    mask_phone(case.phone) if case.phone else "", case.availability, case.summary))
    replies = session.scalars(select(CaseMessage).where(CaseMessage.conversation_id == conversation_id)
                              .order_by(CaseMessage.id))
    data.messages.extend(Line(m.created_at, m.author, m.body) for m in replies)
    data.messages.sort(key=lambda line: line.at)
    data.consents = [(c.given_at, c.scope) for c in session.scalars(
        select(Consent).where(Consent.conversation_id == conversation_id).order_by(Consent.id))]
    for appt, place in session.execute(select(Appointment, Place).join(Place, Place.id == Appointment.place_id)
                                       .where(Appointment.sender_id == conversation_id)
                                       .order_by(Appointment.starts_at)):
        data.appointments.append(AppointmentFacts(appt.reference, appt.starts_at, place.name, appt.status,
                                                  appt.first_name or "",
                                                  mask_phone(appt.phone_e164) if appt.phone_e164 else ""))
    contact = session.get(SmsContact, conversation_id)
    data.sms_phone = mask_phone(contact.phone_e164) if contact else ""
    data.pending_messages = len(_outbox_ids(session, conversation_id, [a.reference for a in data.appointments]))
    data.unpublished_events = _unpublished_events(tracker, conversation_id)
    return data


def _outbox_ids(session: Session, conversation_id: str, references: list[str]) -> list[int]:
    """Messages waiting for this resident: by appointment, by chat id, or by their SMS number."""
    recipients = [conversation_id]
    contact = session.get(SmsContact, conversation_id)
    if contact:
        recipients.append(contact.phone_e164)
    conditions = [Notification.recipient.in_(recipients)]
    if references:
        appt_ids = select(Appointment.id).where(Appointment.reference.in_(references))
        conditions.append(Notification.appointment_id.in_(appt_ids))
    return list(session.scalars(select(Notification.id).where(Notification.status == PENDING, or_(*conditions))))


def erase(session: Session, conversation_id: str, now: datetime) -> Erased:
    """Erase the app data of one conversation at once and queue the tracker's erasure.

    The caller commits: everything goes, or nothing.
    """
    moment = naive_utc(now)
    appointments = list(session.scalars(select(Appointment).where(Appointment.sender_id == conversation_id)))
    outbox = _outbox_ids(session, conversation_id, [a.reference for a in appointments])
    if outbox:
        session.execute(update(Notification).where(Notification.id.in_(outbox))
                        .values(status=CANCELLED, recipient="", body="")
                        .execution_options(synchronize_session=False))
    kept = []
    for appt in appointments:
        if appt.status == STATUS_BOOKED and appt.starts_at > moment:
            kept.append(appt.starts_at)
        appt.first_name = appt.phone_e164 = appt.phone_pseudonym = appt.sender_id = None
        appt.contact_purged_at = moment
        session.add(AppointmentEvent(appointment_id=appt.id, at=moment, action="contact_purged",
                                     actor="resident", detail="erasure requested in the conversation"))
    case_ids = list(session.scalars(select(Case.id).where(Case.conversation_id == conversation_id)))
    consents = session.execute(delete(Consent).where(Consent.conversation_id == conversation_id)
                               .execution_options(synchronize_session=False)).rowcount
    if case_ids:
        for model in (CaseMessage, CaseNote):
            session.execute(delete(model).where(model.case_id.in_(case_ids)).execution_options(
                synchronize_session=False))
        session.execute(delete(Case).where(Case.id.in_(case_ids)).execution_options(synchronize_session=False))
    contact = session.get(SmsContact, conversation_id)
    if contact is not None:
        from actions.common.privacy import pseudonym

        session.execute(delete(SmsRateWindow).where(SmsRateWindow.number_key == pseudonym(contact.phone_e164))
                        .execution_options(synchronize_session=False))
        session.delete(contact)
    request = session.scalar(select(ErasureRequest).where(ErasureRequest.conversation_id == conversation_id))
    if request is None:
        session.add(ErasureRequest(conversation_id=conversation_id, requested_at=moment))
    else:
        request.requested_at = moment
    return Erased(len(case_ids), consents, sorted(kept), len(outbox), contact is not None)


def erase_waiting_conversations(session: Session, tracker: Engine, now: datetime) -> int:
    """The worker's step: erase the tracker events of each requested conversation once it is quiet.

    Rasa writes the turn that asked for the erasure after the action answered, so the
    events are deleted only when the conversation has been quiet for a moment; a request
    is done (and its row, which holds the id, deleted) when no event of the asking turn
    is left. Messages the resident sends afterwards start a new conversation and are kept.
    """
    done = 0
    moment = naive_utc(now)
    requests = list(session.scalars(select(ErasureRequest)))
    outbox = bool(requests) and _has_outbox(tracker)
    for request in requests:
        if not _has_events(tracker):
            session.delete(request)
            done += 1
            continue
        cutoff = (request.requested_at + TURN_MARGIN - datetime(1970, 1, 1)).total_seconds()
        params = {"s": request.conversation_id, "cutoff": cutoff}
        with tracker.begin() as connection:
            if outbox:
                # Copies not yet published (RabbitMQ down): never published once erased. At once,
                # not after the quiet moment: deleting them makes Rasa write nothing back. What
                # RabbitMQ already confirmed is out of Sésame's reach (its consumers' duty).
                connection.execute(text(f"DELETE FROM {EVENT_OUTBOX} WHERE sender_id = :s AND created_at <= :cutoff"),
                                   params)
            left = connection.execute(text(
                "SELECT COUNT(*) FROM events WHERE sender_id = :s AND timestamp <= :cutoff"), params).scalar()
            if not left:
                # Checked on a later round than the deletion, so a turn that was being written
                # while we deleted (Rasa would then write the whole conversation again) is caught.
                if moment - request.requested_at > QUIET_BEFORE_ERASING:
                    session.delete(request)
                    done += 1
                continue
            latest = connection.execute(text("SELECT MAX(timestamp) FROM events WHERE sender_id = :s"),
                                        params).scalar()
            if moment - datetime.utcfromtimestamp(float(latest)) >= QUIET_BEFORE_ERASING:
                connection.execute(text("DELETE FROM events WHERE sender_id = :s AND timestamp <= :cutoff"),
                                   params)
    return done

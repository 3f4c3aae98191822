"""Book, find, cancel and move appointments: the only module that writes the appointment book.

Race safety: the write transaction only inserts (no read first, so SQLite takes
its write lock at once and PostgreSQL relies on the unique index). If another
resident took the time a moment earlier, the UNIQUE (conseiller_id, unit_start)
constraint rejects the insert and :class:`SlotTaken` carries the next free
offers, so the conversation can propose them instead of showing an error.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import lru_cache
from typing import Callable

from sqlalchemy import delete, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from actions.booking import messages
from actions.booking.demo import appointment_is_demo
from actions.booking.models import (
    STATUS_BOOKED,
    STATUS_CANCELLED,
    STATUSES,
    UNIT_MINUTES,
    Appointment,
    AppointmentEvent,
    AppointmentUnit,
    Motif,
    Place,
)
from actions.booking.queries import (
    load_busy,
    load_openings,
    motif_by_slug,
    motif_rule,
    naive_utc,
    now_utc,
)
from actions.booking.reference import new_reference, normalise_reference
from actions.booking.search import Offer, SlotFinder
from actions.booking.seed import seed
from actions.booking.availability import PARIS, Preference, is_free, local_to_utc, to_utc
from actions.common.db import get_engine, session_scope
from actions.common.privacy import pseudonym
from actions.notifications.outbox import cancel_pending, enqueue

log = logging.getLogger(__name__)

CANCEL_DEADLINE = timedelta(hours=4)
REMINDER_LOCAL_TIME = time(10, 0)


class BookingError(Exception):
    """Base of the booking failures the conversation turns into kind answers."""


class SlotTaken(BookingError):
    """The chosen time is no longer free; ``alternatives`` are the next free offers."""

    def __init__(self, alternatives: list["Offer"]) -> None:
        super().__init__("slot taken")
        self.alternatives = alternatives


class AppointmentNotFound(BookingError):
    """No upcoming appointment for this reference or phone number."""


class TooLateToChange(BookingError):
    """Less than 4 hours before the appointment: the resident must call the place."""

    def __init__(self, place_name: str, place_phone: str) -> None:
        super().__init__("too late to change")
        self.place_name = place_name
        self.place_phone = place_phone


@dataclass(frozen=True)
class BookedAppointment:
    """What the resident (and the conversation) needs to know about an appointment."""

    reference: str
    status: str
    starts_at: datetime
    ends_at: datetime
    motif_name: str
    place_name: str
    place_address: str
    place_phone: str
    what_to_bring: str
    first_name: str
    demo: bool = False  # booked on demonstration data: every message says it is not real
    structure_id: str = ""  # the place's catalogue structure (whom to ask for a real appointment)

    @classmethod
    def of(cls, appt: Appointment) -> "BookedAppointment":
        return cls(
            appt.reference, appt.status, to_utc(appt.starts_at), to_utc(appt.ends_at), appt.motif.name,
            appt.place.name, appt.place.address, appt.place.phone, appt.motif.what_to_bring,
            appt.first_name or "", appointment_is_demo(appt), appt.place.catalogue_structure_id or "",
        )

    def facts(self) -> messages.MessageFacts:
        return messages.MessageFacts(
            self.reference, self.starts_at, self.place_name, self.place_address, self.place_phone,
            self.what_to_bring, self.demo,
        )


def delivery_for(channel: str, sender_id: str | None, phone_e164: str | None) -> tuple[str, str] | None:
    """(channel, recipient) for messages after the conversation: Telegram chat, else SMS to the mobile."""
    if channel == "telegram" and sender_id:
        return "telegram", sender_id
    if phone_e164:
        return "sms", phone_e164
    return None


def unit_starts(start: datetime, end: datetime) -> list[datetime]:
    """The 15-minute units an appointment occupies (naive UTC, as stored)."""
    units, moment = [], naive_utc(start)
    while moment < naive_utc(end):
        units.append(moment)
        moment += timedelta(minutes=UNIT_MINUTES)
    return units


class BookingService:
    """The appointment book over one database; ``clock`` is injectable for tests."""

    def __init__(self, engine: Engine, clock: Callable[[], datetime] = now_utc) -> None:
        self.engine = engine
        self.clock = clock
        self.finder = SlotFinder(engine, clock)

    # --- searching -------------------------------------------------------------------------
    def search(
        self,
        motif_slug: str,
        place_slug: str | None = None,
        preference: Preference | None = None,
        limit: int = 3,
        max_per_day: int | None = 2,
    ) -> list[Offer]:
        """The next free offers for a motif at one place, or the soonest anywhere."""
        return self.finder.search(motif_slug, place_slug, preference, limit, max_per_day)

    def _alternatives(self, motif_slug: str, place_id: int, start: datetime) -> list[Offer]:
        place = self.finder.static().places.get(place_id)
        day = to_utc(start).astimezone(PARIS).date()
        offers = self.search(motif_slug, place[0] if place else None, Preference(not_before_day=day))
        return offers or self.search(motif_slug, None)

    # --- booking ---------------------------------------------------------------------------
    def book(
        self,
        motif_slug: str,
        start: datetime,
        place_id: int,
        conseiller_id: int,
        *,
        first_name: str,
        phone_e164: str | None,
        channel: str,
        sender_id: str | None = None,
        replayed_is_booked: bool = False,
    ) -> BookedAppointment:
        """Book ``start`` with this conseiller, or raise :class:`SlotTaken` with the next offers.

        With ``replayed_is_booked`` (the resident's own confirmation, from the conversation), the
        same resident booking the same time again gets the booking they already have: a
        confirmation replayed (its answer lost when a Rasa replica died mid-turn, a double tap)
        books nothing twice and is not told the time was taken. The console keeps the plain
        refusal, so a conseiller's second submit does not tell the resident twice.
        """
        now = self.clock()
        start = to_utc(start)
        already = self._same_booking(conseiller_id, start, sender_id, phone_e164) if replayed_is_booked else None
        if already is not None:
            log.info("booking replayed ref=%s", already)
            return self.get(already)
        with session_scope(self.engine) as session:  # read phase: is it still a real candidate?
            motif = motif_by_slug(session, motif_slug)
            place = session.get(Place, place_id)
            openings, busy = self._day_schedule(session, place_id, start)
            still_free = place is not None and is_free(
                openings, busy, motif_rule(motif), now, conseiller_id, place_id, start
            )
            motif_id, duration = motif.id, motif.duration_minutes
        if not still_free:
            raise SlotTaken(self._alternatives(motif_slug, place_id, start))
        end = start + timedelta(minutes=duration)
        for attempt in range(5):
            try:
                ref = self._insert(motif_id, place_id, conseiller_id, start, end, first_name, phone_e164,
                                   channel, sender_id, now)
                break
            except IntegrityError:
                if self._units_taken(conseiller_id, start, end):
                    log.info("booking race lost conseiller=%s start=%s", conseiller_id, start.isoformat())
                    raise SlotTaken(self._alternatives(motif_slug, place_id, start)) from None
                log.warning("reference collision, retrying")  # astronomically rare
            except OperationalError:  # SQLite busy beyond its timeout: try again shortly
                if attempt == 4:
                    raise
        log.info("booked ref=%s contact=%s channel=%s", ref, pseudonym(phone_e164) if phone_e164 else "-", channel)
        return self.get(ref)

    def _same_booking(self, conseiller_id: int, start: datetime, sender_id: str | None,
                      phone_e164: str | None) -> str | None:
        """The reference of this resident's booking at exactly this time with this conseiller, if any."""
        if sender_id is None and phone_e164 is None:
            return None
        who = Appointment.sender_id == sender_id if sender_id is not None else Appointment.phone_e164 == phone_e164
        with session_scope(self.engine) as session:
            return session.scalars(
                select(Appointment.reference).where(
                    Appointment.conseiller_id == conseiller_id, Appointment.starts_at == naive_utc(start),
                    Appointment.status == STATUS_BOOKED, who,
                )
            ).first()

    @staticmethod
    def _day_schedule(session: Session, place_id: int, start: datetime) -> tuple[list, list]:
        """Openings at the place and what is busy on the day of ``start`` (enough to re-check one time)."""
        openings = load_openings(session, [place_id])
        day = to_utc(start).astimezone(PARIS).date()
        low, high = local_to_utc(day, time(0)), local_to_utc(day + timedelta(days=1), time(0))
        conseillers = sorted({o.conseiller_id for o in openings})
        return openings, load_busy(session, conseillers, low, high, [place_id])

    def _units_taken(self, conseiller_id: int, start: datetime, end: datetime) -> bool:
        with session_scope(self.engine) as session:
            return session.scalars(
                select(AppointmentUnit.id).where(
                    AppointmentUnit.conseiller_id == conseiller_id,
                    AppointmentUnit.unit_start.in_(unit_starts(start, end)),
                )
            ).first() is not None

    def _insert(
        self, motif_id: int, place_id: int, conseiller_id: int, start: datetime, end: datetime,
        first_name: str, phone_e164: str | None, channel: str, sender_id: str | None, now: datetime,
    ) -> str:
        """The write transaction: inserts only, so the unique units decide who wins."""
        ref = new_reference()
        stamp = naive_utc(now)
        with session_scope(self.engine) as session:
            appt = Appointment(
                reference=ref, motif_id=motif_id, place_id=place_id, conseiller_id=conseiller_id,
                starts_at=naive_utc(start), ends_at=naive_utc(end), status=STATUS_BOOKED, channel=channel,
                sender_id=sender_id, first_name=first_name.strip()[:80] or None, phone_e164=phone_e164,
                phone_pseudonym=pseudonym(phone_e164) if phone_e164 else None, created_at=stamp, updated_at=stamp,
            )
            session.add(appt)
            session.flush()
            session.add_all(
                AppointmentUnit(appointment_id=appt.id, conseiller_id=conseiller_id, unit_start=u)
                for u in unit_starts(start, end)
            )
            session.add(AppointmentEvent(appointment_id=appt.id, at=stamp, action="booked", actor="resident",
                                         detail=f"channel={channel}"))
            session.flush()
            self._queue_messages(session, appt, now, confirmation=True)
        return ref

    def _queue_messages(self, session: Session, appt: Appointment, now: datetime, confirmation: bool,
                        move: int = 0) -> None:
        """Queue the confirmation (or the "moved" message) and the reminder of the day before.

        ``move`` counts the moves so far: a resident who moves back to an earlier time gets new
        messages, instead of colliding with the withdrawn ones of that time (dedupe keys are unique).
        """
        session.refresh(appt)
        target = delivery_for(appt.channel, appt.sender_id, appt.phone_e164)
        if target is None:
            return
        facts = BookedAppointment.of(appt).facts()
        start = to_utc(appt.starts_at)
        stamp = start.strftime("%Y%m%dT%H%M") + (f":m{move}" if move else "")
        body = messages.confirmation_body(facts) if confirmation else messages.moved_body(facts)
        enqueue(session, dedupe_key=f"booking:{appt.id}:{'moved' if move else 'confirmation'}:{stamp}",
                kind="booking_confirmation", channel=target[0], recipient=target[1], body=body,
                due_at=now, now=now, appointment_id=appt.id)
        day_before = start.astimezone(PARIS).date() - timedelta(days=1)
        remind_at = local_to_utc(day_before, REMINDER_LOCAL_TIME)
        if remind_at > to_utc(now) + timedelta(hours=1):
            enqueue(session, dedupe_key=f"booking:{appt.id}:reminder:{stamp}", kind="booking_reminder",
                    channel=target[0], recipient=target[1], body=messages.reminder_body(facts),
                    due_at=remind_at, now=now, appointment_id=appt.id)

    # --- finding, cancelling, moving -----------------------------------------------------------
    def get(self, reference: str) -> BookedAppointment:
        with session_scope(self.engine) as session:
            return BookedAppointment.of(self._by_reference(session, reference))

    def _by_reference(self, session: Session, reference: str) -> Appointment:
        ref = normalise_reference(reference) or reference.strip().upper()
        appt = session.scalars(select(Appointment).where(Appointment.reference == ref)).first()
        if appt is None:
            raise AppointmentNotFound(ref)
        return appt

    def upcoming(self, *, reference: str | None = None, phone_e164: str | None = None) -> list[BookedAppointment]:
        """Upcoming booked appointments found by reference or by phone number."""
        stmt = select(Appointment).where(
            Appointment.status == STATUS_BOOKED, Appointment.starts_at > naive_utc(self.clock())
        )
        if reference:
            stmt = stmt.where(Appointment.reference == (normalise_reference(reference) or reference.upper()))
        elif phone_e164:
            stmt = stmt.where(Appointment.phone_pseudonym == pseudonym(phone_e164))
        else:
            return []
        with session_scope(self.engine) as session:
            return [BookedAppointment.of(a) for a in session.scalars(stmt.order_by(Appointment.starts_at))]

    def _check_changeable(self, appt: Appointment) -> None:
        if appt.status != STATUS_BOOKED or to_utc(appt.starts_at) <= to_utc(self.clock()):
            raise AppointmentNotFound(appt.reference)
        if to_utc(appt.starts_at) - to_utc(self.clock()) < CANCEL_DEADLINE:
            raise TooLateToChange(appt.place.name, appt.place.phone)

    def cancel(self, reference: str, actor: str = "resident") -> BookedAppointment:
        """Cancel until 4 hours before; the time becomes free again at once."""
        now = self.clock()
        with session_scope(self.engine) as session:
            appt = self._by_reference(session, reference)
            if actor == "resident":
                self._check_changeable(appt)
            elif appt.status != STATUS_BOOKED:
                raise AppointmentNotFound(appt.reference)
            appt.status = STATUS_CANCELLED
            appt.updated_at = naive_utc(now)
            session.execute(delete(AppointmentUnit).where(AppointmentUnit.appointment_id == appt.id))
            session.add(AppointmentEvent(appointment_id=appt.id, at=naive_utc(now), action="cancelled", actor=actor))
            cancel_pending(session, appt.id, ("booking_reminder", "booking_confirmation"))
            target = delivery_for(appt.channel, appt.sender_id, appt.phone_e164)
            result = BookedAppointment.of(appt)
            if target:
                enqueue(session, dedupe_key=f"booking:{appt.id}:cancelled", kind="booking_cancellation",
                        channel=target[0], recipient=target[1], body=messages.cancellation_body(result.facts()),
                        due_at=now, now=now, appointment_id=appt.id)
        log.info("cancelled ref=%s by=%s", result.reference, actor)
        return result

    def move(self, reference: str, start: datetime, place_id: int, conseiller_id: int) -> BookedAppointment:
        """Move to another free time in one transaction; the old time is freed only if the new one is won."""
        now = self.clock()
        start = to_utc(start)
        with session_scope(self.engine) as session:
            appt = self._by_reference(session, reference)
            self._check_changeable(appt)
            motif_slug, motif = appt.motif.slug, appt.motif
            openings, busy = self._day_schedule(session, place_id, start)
            busy = [b for b in busy if not (b.conseiller_id == appt.conseiller_id and b.start == to_utc(appt.starts_at))]
            ok = is_free(openings, busy, motif_rule(motif), now, conseiller_id, place_id, start)
        if not ok:
            raise SlotTaken(self._alternatives(motif_slug, place_id, start))
        try:
            with session_scope(self.engine) as session:
                appt = self._by_reference(session, reference)
                self._check_changeable(appt)  # still booked and changeable (a cancel may have come between)
                end = start + timedelta(minutes=appt.motif.duration_minutes)
                session.execute(delete(AppointmentUnit).where(AppointmentUnit.appointment_id == appt.id))
                session.flush()
                session.add_all(AppointmentUnit(appointment_id=appt.id, conseiller_id=conseiller_id, unit_start=u)
                                for u in unit_starts(start, end))
                old = to_utc(appt.starts_at)
                appt.starts_at, appt.ends_at = naive_utc(start), naive_utc(end)
                appt.place_id, appt.conseiller_id, appt.updated_at = place_id, conseiller_id, naive_utc(now)
                session.add(AppointmentEvent(appointment_id=appt.id, at=naive_utc(now), action="moved",
                                             actor="resident", detail=f"from={old.isoformat()}"))
                session.flush()
                moves = session.scalar(select(func.count()).select_from(AppointmentEvent).where(
                    AppointmentEvent.appointment_id == appt.id, AppointmentEvent.action == "moved"))
                # The old time's reminder, and its confirmation if not sent yet, are withdrawn. An unsent
                # confirmation is replaced by a full one for the new time; else a short "moved" message.
                cancel_pending(session, appt.id, ("booking_reminder",))
                unsent = cancel_pending(session, appt.id, ("booking_confirmation",))
                self._queue_messages(session, appt, now, confirmation=bool(unsent), move=moves)
        except IntegrityError:
            raise SlotTaken(self._alternatives(motif_slug, place_id, start)) from None
        return self.get(reference)

    def set_status(self, reference: str, status: str, actor: str = "conseiller") -> BookedAppointment:
        """Record what happened (done / no-show) from the conseiller's side."""
        if status not in STATUSES:
            raise ValueError(f"unknown status {status}")
        with session_scope(self.engine) as session:
            appt = self._by_reference(session, reference)
            appt.status = status
            appt.updated_at = naive_utc(self.clock())
            if status == STATUS_CANCELLED:
                session.execute(delete(AppointmentUnit).where(AppointmentUnit.appointment_id == appt.id))
            session.add(AppointmentEvent(appointment_id=appt.id, at=naive_utc(self.clock()), action=status, actor=actor))
            return BookedAppointment.of(appt)

    def history(self, reference: str) -> list[tuple[str, str]]:
        """The audit trail as (action, actor) pairs, oldest first."""
        with session_scope(self.engine) as session:
            return [(e.action, e.actor) for e in self._by_reference(session, reference).events]


@lru_cache(maxsize=1)
def app_service() -> BookingService:
    """The booking service on the app database, seeded with the demo planning when empty.

    One per process: its static book is cached (see ``actions.booking.search``).
    """
    engine = get_engine()
    with session_scope(engine) as session:
        empty = not session.scalar(select(func.count()).select_from(Motif))
    if empty:
        seed(engine)
    return BookingService(engine)

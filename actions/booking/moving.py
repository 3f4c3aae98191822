"""Finding and moving a resident's appointment, as the conversation needs it (no Rasa here).

The booking service does the move in one transaction (the old time is freed only if the
new one is won, messages are queued for the new time). This module adds what the
conversation needs around it: find by reference or mobile number, know early when it is
too late (less than 4 hours before), and the place's phone to call instead.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from actions.booking.availability import PARIS, to_utc
from actions.booking.models import STATUS_BOOKED, Appointment, Place
from actions.booking.phone import display_phone, find_phone
from actions.booking.reference import ALPHABET, LENGTH, normalise_reference
from actions.booking.search import Offer
from actions.booking.service import (
    CANCEL_DEADLINE,
    AppointmentNotFound,
    BookedAppointment,
    BookingService,
    SlotTaken,
    TooLateToChange,
)
from actions.common.db import session_scope
from actions.core import contacts

MOVED, TAKEN, TOO_LATE, NOT_FOUND = "moved", "taken", "too_late", "not_found"


def reference_candidates(text: str, limit: int = 8) -> list[str]:
    """Possible references in what was typed, most likely first.

    Whole words first ("c'est K7M4QX"), then 2 or 3 neighbouring words joined ("k7m 4qx",
    "K7 M4 QX"), so the words around the reference are not glued to it ("ESTK7M").
    """
    words = re.findall(r"[0-9A-Z]+", text.upper())
    found: list[str] = []
    for size in (1, 2, 3):
        for i in range(len(words) - size + 1):
            chunk = "".join(words[i : i + size])
            if (len(chunk) == LENGTH and all(c in ALPHABET for c in chunk) and any(c.isdigit() for c in chunk)
                    and chunk not in found):
                found.append(chunk)
    loose = normalise_reference(text)
    if loose and loose not in found:
        found.append(loose)
    return found[:limit]


def find_upcoming(service: BookingService, text: str) -> list[BookedAppointment]:
    """Upcoming appointments for a reference typed loosely, else for a mobile number (soonest first)."""
    found: list[BookedAppointment] = []
    phone_like = find_phone(text) is not None  # "06 12 34 56 78" holds no reference "345678"
    for reference in reference_candidates(text):
        if phone_like and reference.isdigit():
            continue
        found = service.upcoming(reference=reference)
        if found:
            break
    phone = None if found else find_phone(text) or find_phone(text.replace(" ", ""))
    if phone:
        found = service.upcoming(phone_e164=phone)
    return found


def place_phone(phone: str, structure_id: str | None) -> str:
    """The place's phone from the booking book, else from the reviewed contacts; "" when unknown."""
    if phone.strip():
        return display_phone(phone)
    contact = contacts.contacts_by_id().get(structure_id or "")
    return display_phone(contact.telephone) if contact and contact.telephone else ""


@dataclass(frozen=True)
class MoveTarget:
    """The appointment to move, with what the next questions need."""

    reference: str
    starts_at: datetime
    motif_slug: str
    place_slug: str
    place_name: str
    place_phone: str
    too_late: bool


def target(service: BookingService, reference: str) -> MoveTarget:
    """The upcoming appointment ``reference``; raises AppointmentNotFound when it is not movable at all."""
    now = to_utc(service.clock())
    with session_scope(service.engine) as session:
        appt = session.scalars(select(Appointment).where(Appointment.reference == reference)).first()
        if appt is None or appt.status != STATUS_BOOKED or to_utc(appt.starts_at) <= now:
            raise AppointmentNotFound(reference)
        starts_at = to_utc(appt.starts_at)
        return MoveTarget(
            appt.reference, starts_at, appt.motif.slug, appt.place.slug, appt.place.name,
            place_phone(appt.place.phone or "", appt.place.catalogue_structure_id),
            starts_at - now < CANCEL_DEADLINE,
        )


@dataclass(frozen=True)
class MoveOutcome:
    """What happened when moving: ``status`` is one of MOVED, TAKEN, TOO_LATE, NOT_FOUND."""

    status: str
    appointment: BookedAppointment | None = None
    place_name: str = ""
    place_phone: str = ""
    look_from: date | None = None  # TAKEN: propose offers from this day


def move(service: BookingService, reference: str, offer_token: str) -> MoveOutcome:
    """Move ``reference`` to the chosen offer; every refusal becomes an outcome, never an exception."""
    start, place_id, conseiller_id = Offer.parse_token(offer_token)
    try:
        return MoveOutcome(MOVED, service.move(reference, start, place_id, conseiller_id))
    except SlotTaken:
        return MoveOutcome(TAKEN, look_from=start.astimezone(PARIS).date())
    except TooLateToChange as late:
        return MoveOutcome(TOO_LATE, place_name=late.place_name, place_phone=too_late_phone(service, reference))
    except AppointmentNotFound:
        return MoveOutcome(NOT_FOUND)


def too_late_phone(service: BookingService, reference: str) -> str:
    """The phone of the appointment's place (booking book, else contacts), "" when unknown."""
    with session_scope(service.engine) as session:
        appt = session.scalars(select(Appointment).where(Appointment.reference == reference)).first()
        if appt is None:
            return ""
        return place_phone(appt.place.phone or "", appt.place.catalogue_structure_id)


@dataclass(frozen=True)
class MoveRecap:
    """What the resident checks before moving: the old time, the new one and its place."""

    reference: str
    old_start: datetime
    new_start: datetime
    place_name: str


def recap(service: BookingService, reference: str, offer_token: str) -> MoveRecap:
    """The recap of moving ``reference`` to the chosen offer."""
    current = service.get(reference)
    start, place_id, _ = Offer.parse_token(offer_token)
    with session_scope(service.engine) as session:
        place = session.get(Place, place_id)
        place_name = place.name if place else current.place_name
    return MoveRecap(current.reference, current.starts_at, start, place_name)

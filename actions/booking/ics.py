"""iCalendar (RFC 5545) files: one appointment for a resident, an agenda for a conseiller.

The VCALENDAR and its VEVENTs are written by the ``icalendar`` library (escaping of
``, ; \\`` and new lines, folding at 75 octets, CRLF line ends, UTC times as ``…Z``).

The link given to web residents carries a signature (HMAC with the app's salt) so
knowing a reference alone does not reveal an appointment.
"""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime
from typing import Iterable

from icalendar import Calendar, Event, vText

from actions.booking.availability import to_utc
from actions.common.settings import get_settings


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    start: datetime
    end: datetime
    summary: str
    location: str = ""
    description: str = ""


def _vevent(event: CalendarEvent, now: datetime) -> Event:
    vevent = Event()
    vevent.add("uid", event.uid)
    vevent.add("dtstamp", to_utc(now))
    vevent.add("dtstart", to_utc(event.start))
    vevent.add("dtend", to_utc(event.end))
    vevent.add("summary", event.summary)
    if event.location:
        vevent.add("location", event.location)
    if event.description:
        vevent.add("description", event.description)
    return vevent


def calendar(events: Iterable[CalendarEvent], now: datetime, name: str = "Sésame") -> str:
    """A VCALENDAR (METHOD:PUBLISH) of ``events``, as the text of an .ics file."""
    cal = Calendar()
    cal.add("version", "2.0")
    cal.add("prodid", "-//Ville de Chambery//Sesame//FR")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", vText(name))  # an X- property is not TEXT to the library: escape it as TEXT
    for event in events:
        cal.add_component(_vevent(event, now))
    return cal.to_ical().decode("utf-8")


def appointment_event(reference: str, start: datetime, end: datetime, place_name: str, place_address: str,
                      what_to_bring: str) -> CalendarEvent:
    description = f"Référence : {reference}."
    if what_to_bring:
        description += f" À apporter : {what_to_bring}."
    location = f"{place_name}, {place_address}" if place_address else place_name
    return CalendarEvent(f"{reference}@sesame.chambery", start, end, "Rendez-vous conseiller numérique",
                         location, description)


def ics_token(reference: str) -> str:
    salt = get_settings().hash_salt.encode()
    return hmac.new(salt, f"ics:{reference}".encode(), hashlib.sha256).hexdigest()[:16]


def ics_link(reference: str) -> str:
    """Public link to the resident's .ics (served by the web process: /rdv/<ref>-<token>.ics)."""
    return f"{get_settings().public_base_url.rstrip('/')}/rdv/{reference}-{ics_token(reference)}.ics"


def check_ics_token(reference: str, token: str) -> bool:
    return hmac.compare_digest(ics_token(reference), token)

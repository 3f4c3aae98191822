"""iCalendar (RFC 5545) files: one appointment for a resident, an agenda for a conseiller.

The link given to web residents carries a signature (HMAC with the app's salt) so
knowing a reference alone does not reveal an appointment.
"""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime
from typing import Iterable

from actions.booking.slots import to_utc
from actions.common.settings import get_settings


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    start: datetime
    end: datetime
    summary: str
    location: str = ""
    description: str = ""


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> list[str]:
    """Lines longer than 75 octets continue on the next line after a space (RFC 5545 §3.1)."""
    out, current = [], ""
    for char in line:
        if len((current + char).encode("utf-8")) > 75:
            out.append(current)
            current = " " + char
        else:
            current += char
    return out + [current]


def _stamp(moment: datetime) -> str:
    return to_utc(moment).strftime("%Y%m%dT%H%M%SZ")


def calendar(events: Iterable[CalendarEvent], now: datetime, name: str = "Sésame") -> str:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Ville de Chambery//Sesame//FR", "CALSCALE:GREGORIAN",
             "METHOD:PUBLISH", f"X-WR-CALNAME:{_escape(name)}"]
    for event in events:
        lines += ["BEGIN:VEVENT", f"UID:{event.uid}", f"DTSTAMP:{_stamp(now)}", f"DTSTART:{_stamp(event.start)}",
                  f"DTEND:{_stamp(event.end)}", f"SUMMARY:{_escape(event.summary)}"]
        if event.location:
            lines.append(f"LOCATION:{_escape(event.location)}")
        if event.description:
            lines.append(f"DESCRIPTION:{_escape(event.description)}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "\r\n".join(folded for line in lines for folded in _fold(line)) + "\r\n"


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

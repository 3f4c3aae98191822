"""The conseiller's side: a day agenda per place or per conseiller, printable, and an ICS export.

Phone numbers are masked on paper by default (a printed sheet can be left on a desk);
the console can ask for them in full to call a resident.
"""
from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.engine import Engine

from actions.booking.fmt import day_fr, hour_fr
from actions.booking.ics import CalendarEvent, appointment_event, calendar, check_ics_token
from actions.booking.models import Appointment, Conseiller, Place
from actions.booking.queries import naive_utc
from actions.booking.availability import local_to_utc, to_utc
from actions.common.db import session_scope
from actions.common.privacy import mask_phone

STATUS_FR = {"booked": "prévu", "cancelled": "annulé", "done": "venu", "no_show": "absent"}


@dataclass(frozen=True)
class AgendaLine:
    reference: str
    start: datetime
    end: datetime
    status: str
    motif: str
    place: str
    conseiller: str
    first_name: str
    phone: str


def day_agenda(
    engine: Engine, day: date, *, place_slug: str | None = None, conseiller_slug: str | None = None,
    show_phone: bool = False, include_cancelled: bool = False,
) -> list[AgendaLine]:
    """Appointments of one Paris day, ordered by time, for a place and/or a conseiller."""
    return _lines(engine, local_to_utc(day, datetime.min.time()),
                  local_to_utc(day + timedelta(days=1), datetime.min.time()),
                  place_slug, conseiller_slug, show_phone, include_cancelled)


def _lines(engine: Engine, start: datetime, end: datetime, place_slug: str | None, conseiller_slug: str | None,
           show_phone: bool, include_cancelled: bool) -> list[AgendaLine]:
    stmt = (
        select(Appointment).join(Place, Place.id == Appointment.place_id)
        .join(Conseiller, Conseiller.id == Appointment.conseiller_id)
        .where(Appointment.starts_at >= naive_utc(start), Appointment.starts_at < naive_utc(end))
        .order_by(Appointment.starts_at, Place.name)
    )
    if place_slug:
        stmt = stmt.where(Place.slug == place_slug)
    if conseiller_slug:
        stmt = stmt.where(Conseiller.slug == conseiller_slug)
    if not include_cancelled:
        stmt = stmt.where(Appointment.status != "cancelled")
    with session_scope(engine) as session:
        return [
            AgendaLine(
                a.reference, to_utc(a.starts_at), to_utc(a.ends_at), a.status, a.motif.name, a.place.name,
                a.conseiller.display_name, a.first_name or "",
                (a.phone_e164 if show_phone else mask_phone(a.phone_e164)) if a.phone_e164 else "",
            )
            for a in session.scalars(stmt)
        ]


def render_text(lines: list[AgendaLine], day: date, title: str) -> str:
    head = f"{title} — {day_fr(local_to_utc(day, datetime.min.time().replace(hour=12)))}"
    if not lines:
        return f"{head}\nAucun rendez-vous."
    rows = [f"{hour_fr(row.start):>8} – {hour_fr(row.end):<8} {row.first_name or '(effacé)'} · {row.motif} · "
            f"{row.place} · réf. {row.reference} · {STATUS_FR.get(row.status, row.status)}"
            + (f" · {row.phone}" if row.phone else "") for row in lines]
    return "\n".join([head, *rows])


def render_html(lines: list[AgendaLine], day: date, title: str) -> str:
    """A standalone printable page (no script, print stylesheet)."""
    esc = html.escape
    heading = f"{esc(title)} — {esc(day_fr(local_to_utc(day, datetime.min.time().replace(hour=12))))}"
    rows = "".join(
        f"<tr><td>{esc(hour_fr(row.start))} – {esc(hour_fr(row.end))}</td><td>{esc(row.first_name or '(effacé)')}</td>"
        f"<td>{esc(row.motif)}</td><td>{esc(row.place)}</td><td>{esc(row.conseiller)}</td><td>{esc(row.reference)}</td>"
        f"<td>{esc(STATUS_FR.get(row.status, row.status))}</td><td>{esc(row.phone)}</td></tr>"
        for row in lines
    ) or '<tr><td colspan="8">Aucun rendez-vous.</td></tr>'
    return (
        '<!doctype html><html lang="fr"><head><meta charset="utf-8">'
        f"<title>{heading}</title><style>body{{font-family:sans-serif}}table{{border-collapse:collapse;width:100%}}"
        "td,th{border:1px solid #444;padding:4px;text-align:left}@media print{button{display:none}}</style>"
        f"</head><body><h1>{heading}</h1><table><thead><tr><th>Heure</th><th>Prénom</th><th>Motif</th>"
        "<th>Lieu</th><th>Conseiller</th><th>Référence</th><th>État</th><th>Téléphone</th></tr></thead>"
        f"<tbody>{rows}</tbody></table></body></html>"
    )


def agenda_ics(engine: Engine, start_day: date, days: int, *, place_slug: str | None = None,
               conseiller_slug: str | None = None, now: datetime) -> str:
    """The conseiller's appointments over ``days`` days as an .ics (first names only, no phone)."""
    lines = _lines(engine, local_to_utc(start_day, datetime.min.time()),
                   local_to_utc(start_day + timedelta(days=days), datetime.min.time()),
                   place_slug, conseiller_slug, False, False)
    events = [CalendarEvent(f"{row.reference}@sesame.chambery", row.start, row.end,
                            f"{row.first_name or 'Rendez-vous'} — {row.motif}", row.place, f"Référence : {row.reference}")
              for row in lines]
    return calendar(events, now, name="Agenda conseiller numérique")


def resident_ics(engine: Engine, reference: str, token: str, now: datetime) -> str | None:
    """The .ics behind the link given to a web resident, or None (bad token, unknown or cancelled)."""
    if not check_ics_token(reference, token):
        return None
    with session_scope(engine) as session:
        appt = session.scalars(select(Appointment).where(Appointment.reference == reference)).first()
        if appt is None or appt.status == "cancelled":
            return None
        event = appointment_event(appt.reference, to_utc(appt.starts_at), to_utc(appt.ends_at), appt.place.name,
                                  appt.place.address, appt.motif.what_to_bring)
    return calendar([event], now)

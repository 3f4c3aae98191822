"""A synthetic appointment book for the slot-search benchmark, shaped like a real one after a year.

20 conseillers at 5 places, 3 half-days a week each. Besides ~85 % of the next 3 months
booked, a real book also holds what a search must *skip*: a year of past appointments
(done, no-show, cancelled: they stay for the city's statistics), cancelled future ones,
holidays of conseillers, a place closed for a day, a public holiday closing everything,
and one popular place fully booked for weeks (the search must look far ahead there).
Rows are inserted in bulk (Core ``executemany``): building takes seconds, not minutes.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import insert, select
from sqlalchemy.engine import Engine

from actions.booking.models import (
    STATUS_BOOKED,
    STATUS_CANCELLED,
    STATUS_DONE,
    STATUS_NO_SHOW,
    Absence,
    Appointment,
    AppointmentUnit,
    Conseiller,
    Motif,
    OpeningSlot,
    Place,
    UNIT_MINUTES,
)
from actions.booking.availability import local_to_utc

CONSEILLERS = 20
PLACES = 5
WEEKS = 13  # ahead of NOW
HISTORY_WEEKS = 52  # behind NOW
FILL = 0.85
CANCELLED_SHARE = 0.08
FULL_PLACE = "lieu-0"
FULL_PLACE_WEEKS = 6
NOW = datetime(2027, 1, 4, 7, 0, tzinfo=timezone.utc)  # a Monday, 08:00 in Paris
PUBLIC_HOLIDAY = date(2027, 3, 29)  # Easter Monday, the day after the spring DST change
PLACE_CLOSED = (2, date(2027, 1, 13))  # lieu-2 closed on a Wednesday (staff training)


@dataclass(frozen=True)
class BookFigures:
    """What was built, for the report."""

    booked_ahead: int
    rows_total: int
    absences: int


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def _static(engine: Engine, rng: random.Random) -> tuple[list[int], list[int], list[dict]]:
    """Places, motifs, conseillers and their weekly openings; returns place ids, motif ids, openings."""
    with engine.begin() as conn:
        conn.execute(insert(Place), [dict(slug=f"lieu-{i}", name=f"Lieu {i}", address="", phone="", source_url="",
                                          demo=True) for i in range(PLACES)])
        conn.execute(insert(Motif), [
            dict(slug="email", name="E-mail", duration_minutes=60, min_delay_minutes=120, max_delay_days=92,
                 what_to_bring="", keywords="mail"),
            dict(slug="smartphone", name="Smartphone", duration_minutes=45, min_delay_minutes=120,
                 max_delay_days=92, what_to_bring="", keywords="smartphone"),
        ])
        conn.execute(insert(Conseiller), [dict(slug=f"c-{c}", display_name=f"Conseiller {c}", active=True, demo=True)
                                          for c in range(CONSEILLERS)])
        place_ids = list(conn.scalars(select(Place.id).order_by(Place.id)))
        motif_ids = list(conn.scalars(select(Motif.id).order_by(Motif.id)))
        conseiller_ids = list(conn.scalars(select(Conseiller.id).order_by(Conseiller.id)))
        openings = []
        for c, conseiller_id in enumerate(conseiller_ids):
            for half_day in rng.sample(range(10), 3):
                weekday, afternoon = divmod(half_day, 2)
                start, end = (time(14), time(17)) if afternoon else (time(9), time(12))
                openings.append(dict(conseiller_id=conseiller_id, place_id=place_ids[c % PLACES], weekday=weekday,
                                     start_time=start, end_time=end, demo=True))
        conn.execute(insert(OpeningSlot), openings)
    return place_ids, motif_ids, openings


def _holidays(rng: random.Random, conseiller_ids: list[int]) -> dict[int, tuple[date, date]]:
    """One week off (Monday to Sunday) for a third of the conseillers, within the next 3 months."""
    monday = NOW.date() - timedelta(days=NOW.date().weekday())
    return {c: (monday + timedelta(weeks=w), monday + timedelta(weeks=w, days=7))
            for c in rng.sample(conseiller_ids, len(conseiller_ids) // 3) for w in [rng.randrange(1, WEEKS)]}


def build(engine: Engine, rng: random.Random) -> BookFigures:
    """Fill an empty, migrated database; returns how many bookable appointments lie ahead."""
    place_ids, motif_ids, openings = _static(engine, rng)
    holidays = _holidays(rng, sorted({o["conseiller_id"] for o in openings}))
    closed_place, closed_day = place_ids[PLACE_CLOSED[0]], PLACE_CLOSED[1]
    full_place = place_ids[int(FULL_PLACE.rsplit("-", 1)[1])]
    appointments: list[dict] = []
    first = NOW.date()
    stamp = _naive(NOW)
    for opening in openings:
        conseiller, place = opening["conseiller_id"], opening["place_id"]
        for week in range(-HISTORY_WEEKS, WEEKS):
            day = first + timedelta(days=(opening["weekday"] - first.weekday()) % 7 + 7 * week)
            off = holidays.get(conseiller)
            if day == PUBLIC_HOLIDAY or (place == closed_place and day == closed_day) or (
                    off and off[0] <= day < off[1]):
                continue
            full = place == full_place and 0 <= week < FULL_PLACE_WEEKS
            moment, stop = local_to_utc(day, opening["start_time"]), local_to_utc(day, opening["end_time"])
            while moment + timedelta(minutes=60) <= stop:
                end = moment + timedelta(minutes=rng.choice([45, 60]))
                if full or rng.random() < FILL:
                    if week < 0:
                        status = rng.choices([STATUS_DONE, STATUS_NO_SHOW, STATUS_CANCELLED], [80, 8, 12])[0]
                    else:
                        status = STATUS_CANCELLED if not full and rng.random() < CANCELLED_SHARE else STATUS_BOOKED
                    appointments.append(dict(
                        reference=f"B{len(appointments):07d}", motif_id=motif_ids[0], place_id=place,
                        conseiller_id=conseiller, starts_at=_naive(moment), ends_at=_naive(end), status=status,
                        channel="bench", created_at=stamp, updated_at=stamp))
                moment = end
    absences = [dict(conseiller_id=c, place_id=None, starts_at=_naive(local_to_utc(a, time(0))),
                     ends_at=_naive(local_to_utc(b, time(0))), reason="congés") for c, (a, b) in holidays.items()]
    absences.append(dict(conseiller_id=None, place_id=closed_place, starts_at=_naive(local_to_utc(closed_day, time(0))),
                         ends_at=_naive(local_to_utc(closed_day + timedelta(days=1), time(0))), reason="formation"))
    absences.append(dict(conseiller_id=None, place_id=None, starts_at=_naive(local_to_utc(PUBLIC_HOLIDAY, time(0))),
                         ends_at=_naive(local_to_utc(PUBLIC_HOLIDAY + timedelta(days=1), time(0))),
                         reason="lundi de Pâques"))
    with engine.begin() as conn:
        conn.execute(insert(Appointment), appointments)
        conn.execute(insert(Absence), absences)
        ids = dict(conn.execute(select(Appointment.reference, Appointment.id)).all())
        units = [dict(appointment_id=ids[a["reference"]], conseiller_id=a["conseiller_id"], unit_start=u)
                 for a in appointments if a["status"] != STATUS_CANCELLED for u in _units(a)]
        conn.execute(insert(AppointmentUnit), units)
    ahead = sum(1 for a in appointments if a["status"] == STATUS_BOOKED)
    return BookFigures(booked_ahead=ahead, rows_total=len(appointments), absences=len(absences))


def _units(appt: dict) -> list[datetime]:
    """The 15-minute units an appointment holds (kept for done and no-show ones too, as the service does)."""
    step, moment, units = timedelta(minutes=UNIT_MINUTES), appt["starts_at"], []
    while moment < appt["ends_at"]:
        units.append(moment)
        moment += step
    return units

"""Read the appointment book from the database into the availability engine's plain values."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Sequence

from sqlalchemy import Integer, and_, bindparam, cast, null, or_, select, union_all
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from actions.booking.models import (
    STATUS_BOOKED,
    Absence,
    Appointment,
    Conseiller,
    Motif,
    OpeningSlot,
    Place,
)
from actions.booking.availability import Busy, MotifRule, Opening, ceil_minutes, floor_minutes, from_minutes, to_utc
from actions.common.text import fold


class UnknownMotif(LookupError):
    """No motif with this slug."""


class UnknownPlace(LookupError):
    """No place with this slug."""


def naive_utc(moment: datetime) -> datetime:
    """The database form of a datetime: naive UTC."""
    return to_utc(moment).replace(tzinfo=None)


def motif_by_slug(session: Session, slug: str) -> Motif:
    motif = session.scalars(select(Motif).where(Motif.slug == slug)).first()
    if motif is None:
        raise UnknownMotif(slug)
    return motif


def place_by_slug(session: Session, slug: str) -> Place:
    place = session.scalars(select(Place).where(Place.slug == slug)).first()
    if place is None:
        raise UnknownPlace(slug)
    return place


def motif_rule(motif: Motif) -> MotifRule:
    return MotifRule(motif.duration_minutes, motif.min_delay_minutes, motif.max_delay_days)


def places_for_motif(session: Session, motif: Motif) -> list[Place]:
    """Places offering the motif (all places when the motif lists none)."""
    places = list(motif.places) or list(session.scalars(select(Place).order_by(Place.id)))
    return sorted(places, key=lambda p: p.id)


def load_openings(session: Session, place_ids: Sequence[int] | None = None) -> list[Opening]:
    """Weekly openings of active conseillers (optionally at some places only)."""
    stmt = (
        select(OpeningSlot)
        .join(Conseiller, Conseiller.id == OpeningSlot.conseiller_id)
        .where(Conseiller.active.is_(True))
    )
    if place_ids is not None:
        stmt = stmt.where(OpeningSlot.place_id.in_(list(place_ids)))
    return [
        Opening(o.conseiller_id, o.place_id, o.weekday, o.start_time, o.end_time, o.valid_from, o.valid_until)
        for o in session.scalars(stmt)
    ]


#: Upper bound of an appointment's length: the engine only books inside one opening, on one day.
#: It bounds the start-time range read below, so a year of past appointments is never scanned.
APPOINTMENT_MAX_SPAN = timedelta(days=2)

_EPOCH, _MINUTE = datetime(1970, 1, 1), timedelta(minutes=1)
_CONSEILLERS = bindparam("conseillers", expanding=True)
_PLACES = bindparam("places", expanding=True)
_LO, _HI, _SINCE = bindparam("lo"), bindparam("hi"), bindparam("since")

#: Booked appointments and absences overlapping [lo, hi), in one round trip. Appointments are
#: read by (conseiller_id, starts_at) range on ix_booking_appt_conseiller_start, bounded on both
#: sides; absences are few (a conseiller's, a place's closure, or a closure of everything).
BUSY_QUERY = union_all(
    select(Appointment.conseiller_id, cast(null(), Integer).label("place_id"), Appointment.starts_at,
           Appointment.ends_at).where(
        Appointment.conseiller_id.in_(_CONSEILLERS),
        Appointment.starts_at >= _SINCE,
        Appointment.starts_at < _HI,
        Appointment.ends_at > _LO,
        Appointment.status == STATUS_BOOKED,
    ),
    select(Absence.conseiller_id, Absence.place_id, Absence.starts_at, Absence.ends_at).where(
        or_(
            Absence.conseiller_id.in_(_CONSEILLERS),
            and_(Absence.conseiller_id.is_(None), or_(Absence.place_id.is_(None), Absence.place_id.in_(_PLACES))),
        ),
        Absence.starts_at < _HI,
        Absence.ends_at > _LO,
    ),
)


def busy_rows(
    conn: Connection | Session, conseiller_ids: Sequence[int], start: datetime, end: datetime,
    place_ids: Sequence[int] | None = None,
) -> list[tuple[int | None, int | None, int, int]]:
    """Busy periods overlapping [start, end) as (conseiller_id, place_id, start, end) in epoch minutes.

    Plain integers straight from the rows: the engine's own form, no datetime objects kept.
    """
    lo, hi = naive_utc(start), naive_utc(end)
    rows = conn.execute(BUSY_QUERY, {
        "conseillers": list(conseiller_ids), "places": list(place_ids or ()),
        "lo": lo, "hi": hi, "since": lo - APPOINTMENT_MAX_SPAN,
    }).all()
    if rows and rows[0][2].tzinfo is None:  # naive UTC, as both backends store it: inline arithmetic
        return [(c, p, (s - _EPOCH) // _MINUTE, -((_EPOCH - e) // _MINUTE)) for c, p, s, e in rows]
    return [(c, p, floor_minutes(s), ceil_minutes(e)) for c, p, s, e in rows]


def load_busy(
    session: Session, conseiller_ids: Sequence[int], start: datetime, end: datetime,
    place_ids: Sequence[int] | None = None,
) -> list[Busy]:
    """Booked appointments and absences overlapping [start, end) for these conseillers and places."""
    return [Busy(from_minutes(s), from_minutes(e), conseiller_id=c, place_id=p)
            for c, p, s, e in busy_rows(session, conseiller_ids, start, end, place_ids)]


def load_schedule(
    session: Session, motif: Motif, place_ids: Sequence[int], now: datetime
) -> tuple[list[Opening], list[Busy]]:
    """Everything the availability engine needs for one motif, within its booking window."""
    openings = load_openings(session, place_ids)
    conseillers = sorted({o.conseiller_id for o in openings})
    start = to_utc(now)
    end = start + timedelta(days=motif.max_delay_days + 1)
    return openings, load_busy(session, conseillers, start, end, place_ids)


def match_motif(session: Session, words: str) -> Motif | None:
    """The motif whose name or keywords best match the resident's words ("envoyer un mail")."""
    said = fold(words)
    if not said:
        return None
    best: tuple[int, Motif] | None = None
    for motif in session.scalars(select(Motif).order_by(Motif.id)):
        terms = [fold(t) for t in (motif.keywords or "").split(",") if t.strip()] + [fold(motif.name)]
        score = max((len(t) for t in terms if t and t in said), default=0)
        if score and (best is None or score > best[0]):
            best = (score, motif)
    return best[1] if best else None


_GENERIC_WORDS = {"chambery", "jacques", "centre", "maison"}


def match_place(session: Session, words: str, places: Sequence[Place]) -> Place | None:
    """A place named in the resident's words ("la mediatheque", "dynamo")."""
    said = fold(words)
    for place in places:
        names = {fold(place.name), fold(place.slug).replace("-", " ")}
        names |= {w for n in list(names) for w in n.split() if len(w) >= 5 and w not in _GENERIC_WORDS}
        if any(n and n in said for n in names):
            return place
    return None


def now_utc() -> datetime:
    return datetime.now(timezone.utc)

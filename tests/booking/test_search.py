"""Slot search over the database (SQLite and PostgreSQL): reading a few days at a time and stopping
early must give exactly the offers of one pass over the whole book, across conseillers and places."""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta, timezone

import pytest
from sqlalchemy import event, insert

from actions.booking.models import (
    STATUS_BOOKED,
    STATUS_CANCELLED,
    STATUS_DONE,
    Absence,
    Appointment,
    Conseiller,
    Motif,
    OpeningSlot,
    Place,
)
from actions.booking.queries import busy_rows, load_busy, load_openings
from actions.booking.search import MIN_WINDOW_DAYS, SlotFinder, first_window_days
from actions.booking.availability import MotifRule, Preference, from_minutes, local_to_utc
from actions.common.db import session_scope
from tests.booking.reference_engine import reference_find_slots

NOW = datetime(2027, 3, 1, 7, 0, tzinfo=timezone.utc)  # Monday 08:00 in Paris; DST changes on 28 March
PLACES = ["nord", "sud", "plein"]  # "plein" is fully booked for 5 weeks
RULE = MotifRule(60, 120, 60)


def naive(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def paris(day: date, hh: int, mm: int = 0) -> datetime:
    return local_to_utc(day, time(hh, mm))


@pytest.fixture
def book(db_engine):
    """6 conseillers at 3 places, a year of history, cancellations, absences and closures."""
    rng = random.Random(5)
    with session_scope(db_engine) as s:
        places = [Place(slug=slug, name=slug.title()) for slug in PLACES]
        s.add_all(places + [Motif(slug="email", name="E-mail", duration_minutes=60, min_delay_minutes=120,
                                  max_delay_days=60)])
        s.flush()
        openings = []
        for c in range(6):
            conseiller = Conseiller(slug=f"c{c}", display_name=f"C{c}")
            s.add(conseiller)
            s.flush()
            for weekday in rng.sample(range(6), 2):
                openings.append(OpeningSlot(conseiller_id=conseiller.id, place_id=places[c % 3].id, weekday=weekday,
                                            start_time=time(9), end_time=time(12)))
        s.add_all(openings)
        s.flush()
        rows = []
        for o in openings:
            for week in range(-50, 10):
                day = NOW.date() + timedelta(days=o.weekday + 7 * week)
                full = o.place_id == places[2].id and 0 <= week < 5
                for hour in (9, 10, 11):
                    if full or rng.random() < 0.7:
                        status = STATUS_DONE if week < 0 else rng.choice([STATUS_BOOKED] * 9 + [STATUS_CANCELLED])
                        rows.append(dict(reference=f"R{len(rows):06d}", motif_id=1, place_id=o.place_id,
                                         conseiller_id=o.conseiller_id, starts_at=naive(paris(day, hour)),
                                         ends_at=naive(paris(day, hour + 1)), status=STATUS_BOOKED if full else status,
                                         channel="test", created_at=naive(NOW), updated_at=naive(NOW)))
        s.execute(insert(Appointment), rows)
        s.add_all([
            Absence(conseiller_id=1, starts_at=naive(NOW - timedelta(days=20)), ends_at=naive(NOW + timedelta(days=9))),
            Absence(place_id=places[0].id, starts_at=naive(paris(date(2027, 3, 10), 0)),
                    ends_at=naive(paris(date(2027, 3, 12), 0))),
            Absence(starts_at=naive(paris(date(2027, 3, 29), 0)), ends_at=naive(paris(date(2027, 3, 30), 0))),
        ])
    return db_engine


def whole_book_offers(engine, place_slug: str | None, preference: Preference | None, max_per_day: int | None):
    """The reference: every busy period of the 2 months loaded at once, one pass of the simple engine."""
    with session_scope(engine) as s:
        openings = load_openings(s)
        busy = load_busy(s, sorted({o.conseiller_id for o in openings}), NOW - timedelta(days=1),
                         NOW + timedelta(days=70), [1, 2, 3])
    place_ids = [PLACES.index(place_slug) + 1] if place_slug else None
    found = reference_find_slots(openings, busy, RULE, NOW, place_ids=place_ids, preference=preference, limit=3,
                                 max_per_day=max_per_day)
    return [(c.start, c.place_id, c.conseiller_id) for c in found]


CASES = [
    (None, None, 2), (None, None, None), (None, None, 1), ("nord", None, 2), ("sud", None, None),
    ("plein", None, 2), (None, Preference(not_before_day=date(2027, 3, 27)), 2),
    ("nord", Preference(day=date(2027, 3, 11)), 2), (None, Preference(earliest=time(11)), 1),
    (None, Preference(around=time(10, 30)), 2),
]


@pytest.fixture
def small_reads(monkeypatch) -> None:
    """Reads of 3 days, then 12, 48...: every search here crosses several windows."""
    monkeypatch.setattr("actions.booking.search.ROWS_PER_READ", 1)


@pytest.mark.parametrize("place, preference, max_per_day", CASES)
def test_windowed_search_gives_the_offers_of_the_whole_book(book, small_reads, place, preference,
                                                            max_per_day) -> None:
    finder = SlotFinder(book, clock=lambda: NOW)
    offers = finder.search("email", place, preference, max_per_day=max_per_day)
    assert [(o.start, o.place_id, o.conseiller_id) for o in offers] == whole_book_offers(
        book, place, preference, max_per_day)


def test_absences_and_closures_block_what_they_should(book) -> None:
    finder = SlotFinder(book, clock=lambda: NOW)
    on = lambda day, place=None: finder.search("email", place, Preference(day=day), limit=20)  # noqa: E731
    assert on(date(2027, 3, 22)) and not on(date(2027, 3, 29))  # Easter Monday closes everything
    wednesday, thursday = date(2027, 3, 10), date(2027, 3, 11)
    assert (on(wednesday - timedelta(weeks=1), "nord") or on(thursday - timedelta(weeks=1), "nord"))
    assert not on(wednesday, "nord") and not on(thursday, "nord")  # "nord" closed 10-11 March
    soon = finder.search("email", None, Preference(not_before_day=NOW.date()), limit=50, max_per_day=None)
    absent_until = NOW + timedelta(days=9)
    assert soon and all(o.conseiller_id != 1 for o in soon if o.start < absent_until)


def test_first_read_is_sized_by_the_openings_searched() -> None:
    assert first_window_days(20 * 3 * 180) == 5  # 20 conseillers, 3 half-days each: 180 bookings a week
    assert first_window_days(100 * 3 * 180) == MIN_WINDOW_DAYS
    assert first_window_days(2 * 180) == 175  # a quiet place, 2 half-days a week: its whole book at once
    assert first_window_days(0) == MIN_WINDOW_DAYS


def test_near_slots_cost_one_read(book) -> None:
    reads = capture_busy_reads(book)
    offers = SlotFinder(book, clock=lambda: NOW).search("email", None)
    assert len(offers) == 3 and len(reads) == 1
    assert reads[0][1] - reads[0][0] <= timedelta(days=first_window_days(6 * 2 * 180), hours=1)


def test_a_fully_booked_place_reads_further_and_finds_its_first_free_time(book, small_reads) -> None:
    reads = capture_busy_reads(book)
    offers = SlotFinder(book, clock=lambda: NOW).search("email", "plein")
    assert 1 < len(reads) <= 4
    assert all(earlier[1] == later[0] for earlier, later in zip(reads, reads[1:]))  # contiguous, in day order
    assert offers and min(o.start for o in offers) >= NOW + timedelta(weeks=4)


def test_busy_rows_skip_history_and_cancellations_but_keep_long_absences(book) -> None:
    start, end = paris(date(2027, 3, 2), 0), paris(date(2027, 3, 3), 0)
    with book.connect() as conn:
        rows = busy_rows(conn, [1, 2, 3, 4, 5, 6], start, end, [1, 2, 3])
    assert all(from_minutes(e) > start and from_minutes(s) < end for _, _, s, e in rows)
    assert any(c == 1 and e - s > 24 * 60 for c, _, s, e in rows)  # the absence that began 20 days ago
    with session_scope(book) as s:
        booked = {(a.conseiller_id, a.starts_at) for a in s.query(Appointment).filter(
            Appointment.status == STATUS_BOOKED, Appointment.starts_at >= naive(start),
            Appointment.starts_at < naive(end))}
    assert {(c, from_minutes(s).replace(tzinfo=None)) for c, _, s, e in rows if e - s == 60} == booked


def capture_busy_reads(engine) -> list[tuple[datetime, datetime]]:
    """(lo, hi) of every busy read the engine runs from now on."""
    reads: list[tuple[datetime, datetime]] = []

    def spy(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        if "booking_absences" in statement and context is not None:
            params = context.compiled_parameters[0]
            reads.append((params["lo"], params["hi"]))

    event.listen(engine, "before_cursor_execute", spy)
    return reads

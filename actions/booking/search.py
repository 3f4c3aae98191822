"""Slot search over the database: the static book (motifs, places, openings) is cached briefly.

Motifs, places and weekly openings change a few times a year; bookings change all
the time. So the static part is read at most once a minute, and bookings are read
fresh for each search, in day order, one query per window of days: the engine scans
those days and stops as soon as it has enough offers (the soonest slots are usually
close; reading 3 months of a busy book for every question would be the slow part).
The first window is sized to bring about ROWS_PER_READ bookings, later ones grow.
"""
from __future__ import annotations

import threading
import time as monotonic
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Callable

from sqlalchemy import select
from sqlalchemy.engine import Engine

from actions.booking.models import Motif, Place
from actions.booking.queries import UnknownMotif, UnknownPlace, busy_rows, load_openings
from actions.booking.availability import BusyIndex, MotifRule, Opening, Preference, SlotSearch, day_bounds, to_utc
from actions.common.db import read_connection, session_scope

#: Rows the first read should bring, roughly. On PostgreSQL a round trip costs as much as a few
#: hundred rows (more on a loaded machine), so a search at one quiet place reads weeks at once,
#: and "anywhere" among 20 busy conseillers reads a few days. Later reads grow by WINDOW_GROWTH,
#: so a search far ahead costs two or three queries, not one per day.
ROWS_PER_READ = 150
MIN_WINDOW_DAYS = 3
WINDOW_GROWTH = 4
STATIC_TTL_SECONDS = 60.0


@dataclass(frozen=True)
class Offer:
    """A time proposed to a resident; ``token`` fits in a Rasa slot and comes back on choice."""

    start: datetime
    place_id: int
    conseiller_id: int
    place_name: str

    @property
    def token(self) -> str:
        return f"{to_utc(self.start).strftime('%Y%m%dT%H%M')}|{self.place_id}|{self.conseiller_id}"

    @staticmethod
    def parse_token(token: str) -> tuple[datetime, int, int]:
        stamp, place_id, conseiller_id = token.split("|")
        start = datetime.strptime(stamp, "%Y%m%dT%H%M").replace(tzinfo=timezone.utc)
        return start, int(place_id), int(conseiller_id)


@dataclass(frozen=True)
class MotifInfo:
    slug: str
    rule: MotifRule
    place_ids: tuple[int, ...]  # empty: every place


@dataclass(frozen=True)
class StaticBook:
    motifs: dict[str, MotifInfo]
    places: dict[int, tuple[str, str]]  # id → (slug, name)
    openings: list[Opening]


def first_window_days(weekly_opening_minutes: int) -> int:
    """Days of bookings making about ROWS_PER_READ rows, counting one booking per opening hour."""
    if weekly_opening_minutes <= 0:
        return MIN_WINDOW_DAYS
    return max(MIN_WINDOW_DAYS, ROWS_PER_READ * 7 * 60 // weekly_opening_minutes)


class SlotFinder:
    """Finds offers; ``ttl`` 0 reads the static book every time."""

    def __init__(self, engine: Engine, clock: Callable[[], datetime], ttl: float = STATIC_TTL_SECONDS) -> None:
        self.engine, self.clock, self.ttl = engine, clock, ttl
        self._cached: tuple[float, StaticBook] | None = None
        self._lock = threading.Lock()

    def static(self) -> StaticBook:
        with self._lock:
            if self._cached and monotonic.monotonic() - self._cached[0] < self.ttl:
                return self._cached[1]
            with session_scope(self.engine) as session:
                motifs = {
                    m.slug: MotifInfo(m.slug, MotifRule(m.duration_minutes, m.min_delay_minutes, m.max_delay_days),
                                      tuple(sorted(p.id for p in m.places)))
                    for m in session.scalars(select(Motif))
                }
                places = {p.id: (p.slug, p.name) for p in session.scalars(select(Place))}
                book = StaticBook(motifs, places, load_openings(session))
            self._cached = (monotonic.monotonic(), book)
            return book

    def search(self, motif_slug: str, place_slug: str | None = None, preference: Preference | None = None,
               limit: int = 3, max_per_day: int | None = 2) -> list[Offer]:
        """The soonest offers, reading bookings a few days at a time, in day order, until enough are found."""
        book = self.static()
        motif = book.motifs.get(motif_slug)
        if motif is None:
            raise UnknownMotif(motif_slug)
        place_ids = list(motif.place_ids or book.places)
        if place_slug:
            chosen = [pid for pid, (slug, _) in book.places.items() if slug == place_slug]
            if not chosen:
                raise UnknownPlace(place_slug)
            place_ids = chosen
        search = SlotSearch(book.openings, motif.rule, to_utc(self.clock()), place_ids=place_ids,
                            preference=preference, limit=limit, max_per_day=max_per_day)
        days = first_window_days(search.weekly_opening_minutes)
        with read_connection(self.engine) as conn:
            while not search.finished:
                first = search.next_day
                last = min(first + timedelta(days=days - 1), search.stop_day)
                low, high = day_bounds(first, last)
                rows = busy_rows(conn, search.conseiller_ids, low, high, place_ids)
                search.scan(BusyIndex.from_rows(rows), last)
                days *= WINDOW_GROWTH
        return [Offer(c.start, c.place_id, c.conseiller_id, book.places[c.place_id][1]) for c in search.found]

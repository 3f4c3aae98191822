"""The slot engine: free appointment times, as pure functions (no database, no clock).

Weekly openings are wall-clock times in Europe/Paris; everything else is an
aware UTC datetime. Candidate starts are computed in *real* time (UTC) from the
opening's start, so a day with a DST change keeps correct durations, and a
local time that does not exist (spring forward) is never proposed twice.

Candidates step by the motif's duration from the opening's start; when one
collides with something busy, the search jumps to the end of that busy period
(rounded up to the 15-minute unit), so no gap is wasted after a short booking.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Iterable, Sequence
from zoneinfo import ZoneInfo

from actions.booking.models import UNIT_MINUTES

PARIS = ZoneInfo("Europe/Paris")
UNIT = timedelta(minutes=UNIT_MINUTES)


class SlotEngineError(ValueError):
    """The search was asked something impossible (e.g. a duration that is not a multiple of the unit)."""


@dataclass(frozen=True)
class Opening:
    """Conseiller ``conseiller_id`` receives at ``place_id`` every ``weekday`` (0 = Monday) from start to end."""

    conseiller_id: int
    place_id: int
    weekday: int
    start: time
    end: time
    valid_from: date | None = None
    valid_until: date | None = None

    def applies_on(self, day: date) -> bool:
        return (
            day.weekday() == self.weekday
            and (self.valid_from is None or day >= self.valid_from)
            and (self.valid_until is None or day <= self.valid_until)
        )


@dataclass(frozen=True)
class Busy:
    """A period when a conseiller (or a whole place, or everyone) cannot receive anyone.

    ``conseiller_id`` None with a ``place_id`` is a closure of that place; both None closes everything.
    """

    start: datetime
    end: datetime
    conseiller_id: int | None = None
    place_id: int | None = None


@dataclass(frozen=True)
class MotifRule:
    """What the motif imposes: the duration and how early / how late one may book."""

    duration_minutes: int
    min_delay_minutes: int = 120
    max_delay_days: int = 60


@dataclass(frozen=True)
class Preference:
    """What the resident asked for: a day, a part of the day, a time to be close to."""

    day: date | None = None
    earliest: time | None = None
    latest: time | None = None
    around: time | None = None
    not_before_day: date | None = None


@dataclass(frozen=True, order=True)
class Candidate:
    """A bookable time: ``start``/``end`` are aware UTC datetimes."""

    start: datetime
    place_id: int
    conseiller_id: int
    end: datetime = field(compare=False)

    @property
    def local_start(self) -> datetime:
        return self.start.astimezone(PARIS)


def to_utc(moment: datetime) -> datetime:
    """Aware UTC from an aware datetime or a naive UTC one (as stored in the database)."""
    if moment.tzinfo is timezone.utc:
        return moment
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def local_to_utc(day: date, wall: time) -> datetime:
    """A Paris wall-clock time on ``day`` as aware UTC (a non-existent time moves forward by the gap)."""
    return datetime.combine(day, wall, tzinfo=PARIS).astimezone(timezone.utc)


def ceil_to_unit(moment: datetime) -> datetime:
    """Round an aware UTC datetime up to the next 15-minute boundary."""
    epoch = datetime(2000, 1, 1, tzinfo=timezone.utc)
    units, rest = divmod(moment - epoch, UNIT)
    return epoch + (units + (1 if rest else 0)) * UNIT


class BusyIndex:
    """Busy periods per conseiller, per place and global, sorted for fast overlap checks."""

    def __init__(self, busy: Iterable[Busy]) -> None:
        self._by_key: dict[tuple[str, int | None], list[tuple[datetime, datetime]]] = {}
        for item in busy:
            if item.conseiller_id is not None:
                key: tuple[str, int | None] = ("c", item.conseiller_id)
            elif item.place_id is not None:
                key = ("p", item.place_id)
            else:
                key = ("all", None)
            self._by_key.setdefault(key, []).append((to_utc(item.start), to_utc(item.end)))
        self._starts: dict[tuple[str, int | None], list[datetime]] = {}
        self._max_end: dict[tuple[str, int | None], list[datetime]] = {}
        for key, periods in self._by_key.items():
            periods.sort()
            self._starts[key] = [p[0] for p in periods]
            running: list[datetime] = []
            for _, end in periods:
                running.append(end if not running or end > running[-1] else running[-1])
            self._max_end[key] = running

    def conflict_end(self, conseiller_id: int, place_id: int, start: datetime, end: datetime) -> datetime | None:
        """The latest end among busy periods overlapping [start, end), or None when free."""
        latest: datetime | None = None
        for key in (("c", conseiller_id), ("p", place_id), ("all", None)):
            starts = self._starts.get(key)
            if not starts:
                continue
            periods = self._by_key[key]
            i = bisect.bisect_left(starts, end)  # periods starting before `end`
            j = i - 1
            while j >= 0 and self._max_end[key][j] > start:
                p_start, p_end = periods[j]
                if p_end > start and p_start < end:
                    latest = p_end if latest is None or p_end > latest else latest
                j -= 1
        return latest


def _local_window(pref: Preference, day: date) -> tuple[datetime | None, datetime | None]:
    low = local_to_utc(day, pref.earliest) if pref.earliest else None
    high = local_to_utc(day, pref.latest) if pref.latest else None
    return low, high


def find_slots(
    openings: Sequence[Opening],
    busy: Iterable[Busy] | BusyIndex,
    motif: MotifRule,
    now: datetime,
    *,
    place_ids: Sequence[int] | None = None,
    preference: Preference | None = None,
    limit: int = 3,
    max_per_day: int | None = None,
    last_day: date | None = None,
) -> list[Candidate]:
    """The soonest free candidates for ``motif`` (at ``place_ids``, or anywhere when None).

    ``last_day`` (Paris date) stops the search early: the caller loaded busy periods up to it only.

    One start time is proposed once per place (the resident does not choose the conseiller).
    With ``preference.around`` the candidates of the day are ordered by closeness to that time.
    """
    if motif.duration_minutes <= 0 or motif.duration_minutes % UNIT_MINUTES:
        raise SlotEngineError(f"duration {motif.duration_minutes} is not a positive multiple of {UNIT_MINUTES}")
    pref = preference or Preference()
    index = busy if isinstance(busy, BusyIndex) else BusyIndex(busy)
    now = to_utc(now)
    duration = timedelta(minutes=motif.duration_minutes)
    earliest_start = now + timedelta(minutes=motif.min_delay_minutes)
    latest_start = now + timedelta(days=motif.max_delay_days)
    wanted = [o for o in openings if place_ids is None or o.place_id in place_ids]
    if not wanted:
        return []

    first_day = earliest_start.astimezone(PARIS).date()
    if pref.not_before_day and pref.not_before_day > first_day:
        first_day = pref.not_before_day
    if pref.day:
        if pref.day < first_day:
            return []
        first_day = pref.day
    horizon = latest_start.astimezone(PARIS).date()
    stop_day = min(horizon, last_day) if last_day else horizon
    if pref.day and pref.day < stop_day:
        stop_day = pref.day

    found: list[Candidate] = []
    day = first_day
    while day <= stop_day and len(found) < limit:
        low, high = _local_window(pref, day)
        todays: dict[tuple[datetime, int], Candidate] = {}
        for opening in wanted:
            if not opening.applies_on(day):
                continue
            start = local_to_utc(day, opening.start)
            stop = local_to_utc(day, opening.end)
            while start + duration <= stop:
                end = start + duration
                blocked_until = index.conflict_end(opening.conseiller_id, opening.place_id, start, end)
                if blocked_until is not None:
                    start = max(ceil_to_unit(blocked_until), start + UNIT)
                    continue
                if (
                    start >= earliest_start
                    and start <= latest_start
                    and (low is None or start >= low)
                    and (high is None or end <= high)
                ):
                    key = (start, opening.place_id)
                    if key not in todays:
                        todays[key] = Candidate(start, opening.place_id, opening.conseiller_id, end)
                start = end
        ordered = sorted(todays.values())
        if pref.around is not None and ordered:
            target = local_to_utc(day, pref.around)
            ordered.sort(key=lambda c: (abs((c.start - target).total_seconds()), c.start))
        if max_per_day is not None:
            ordered = ordered[:max_per_day]
        found.extend(ordered[: limit - len(found)])
        day += timedelta(days=1)
    return found


def is_free(
    openings: Sequence[Opening],
    busy: Iterable[Busy] | BusyIndex,
    motif: MotifRule,
    now: datetime,
    conseiller_id: int,
    place_id: int,
    start: datetime,
) -> bool:
    """True when ``start`` is still a valid candidate for this conseiller and place (re-check before booking)."""
    start = to_utc(start)
    day = start.astimezone(PARIS).date()
    own = [o for o in openings if o.conseiller_id == conseiller_id and o.place_id == place_id]
    candidates = find_slots(
        own, busy, motif, now, place_ids=[place_id], preference=Preference(day=day), limit=10_000
    )
    return any(c.start == start and c.conseiller_id == conseiller_id for c in candidates)

"""The availability engine: free appointment times, as pure functions (no database, no clock).

Weekly openings are wall-clock times in Europe/Paris; everything else is an
aware UTC datetime. Candidate starts are computed in *real* time (UTC) from the
opening's start, so a day with a DST change keeps correct durations, and a
local time that does not exist (spring forward) is never proposed twice.

Candidates step by the motif's duration from the opening's start; when one
collides with something busy, the search jumps to the end of that busy period
(rounded up to the 15-minute unit), so no gap is wasted after a short booking.

Inside, times are integers: minutes since the Unix epoch (UTC). Comparing ints is
several times cheaper than comparing aware datetimes, and a Paris wall-clock time
is converted once per (day, time) thanks to a cache. Busy periods read from the
database arrive as minutes rounded outwards (openings are rounded inwards), so rounding
never offers a busy time; :class:`Busy` values handed in are compared as datetimes.

:class:`SlotSearch` walks the days in order and stops as soon as it has enough
offers; the caller may feed it busy periods a few days at a time (see ``search``).
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from typing import Iterable, Sequence
from zoneinfo import ZoneInfo

from actions.booking.models import UNIT_MINUTES

PARIS = ZoneInfo("Europe/Paris")
UNIT = timedelta(minutes=UNIT_MINUTES)
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_EPOCH_NAIVE = datetime(1970, 1, 1)
_MINUTE = timedelta(minutes=1)
_DAY = timedelta(days=1)


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


def floor_minutes(moment: datetime) -> int:
    """Minutes since the epoch, rounded down (aware, or naive UTC as stored)."""
    return (moment - (_EPOCH_NAIVE if moment.tzinfo is None else EPOCH)) // _MINUTE


def ceil_minutes(moment: datetime) -> int:
    """Minutes since the epoch, rounded up (aware, or naive UTC as stored)."""
    return -(((_EPOCH_NAIVE if moment.tzinfo is None else EPOCH) - moment) // _MINUTE)


def from_minutes(minutes: int) -> datetime:
    return EPOCH + timedelta(minutes=minutes)


@lru_cache(maxsize=8192)
def _wall(day: date, wall: time, up: bool) -> int:
    """A Paris wall-clock time in epoch minutes; cached because zoneinfo lookups dominate otherwise."""
    moment = local_to_utc(day, wall)
    return ceil_minutes(moment) if up else floor_minutes(moment)


def day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """[local midnight of ``first``, local midnight after ``last``) as aware UTC: what covers those days."""
    return local_to_utc(first, time(0)), local_to_utc(last + _DAY, time(0))


class _Periods:
    """Periods sorted by start, with the running maximum of ends (so a scan back can stop early)."""

    __slots__ = ("starts", "ends", "max_end")

    def __init__(self, periods: list) -> None:
        periods.sort()
        self.starts = [s for s, _ in periods]
        self.ends = [e for _, e in periods]
        self.max_end, top = [], None
        for end in self.ends:
            top = end if top is None or end > top else top
            self.max_end.append(top)

    def latest_overlap(self, start: int, end: int) -> int | None:
        """The latest end among periods overlapping [start, end) (epoch minutes), or None."""
        return self._latest(start, end)

    def _latest(self, start, end):  # type: ignore[no-untyped-def]  # ints here, datetimes below
        latest = None
        j = bisect.bisect_left(self.starts, end) - 1  # periods starting before `end`
        max_end, ends = self.max_end, self.ends
        while j >= 0 and max_end[j] > start:
            if ends[j] > start and (latest is None or ends[j] > latest):
                latest = ends[j]
            j -= 1
        return latest


class _DatetimePeriods(_Periods):
    """Periods kept as aware UTC datetimes, as :class:`Busy` values give them.

    A search probes a few dozen candidates but may be handed months of periods: converting
    each probe to a datetime is cheaper than converting every period to minutes.
    """

    __slots__ = ()

    def __init__(self, periods: list[tuple[datetime, datetime]]) -> None:
        super().__init__([(to_utc(s), to_utc(e)) for s, e in periods])

    def latest_overlap(self, start: int, end: int) -> int | None:
        latest = self._latest(from_minutes(start), from_minutes(end))
        return None if latest is None else ceil_minutes(latest)


class _OnFirstUse(dict):
    """Periods per conseiller (or place), sorted when first asked for.

    A search that stops after a day or two consults a few conseillers, not all of them:
    the others' periods are never sorted. A key without periods maps to None.
    """

    def __init__(self, raw: dict, make: type[_Periods]) -> None:
        super().__init__()
        self.raw, self.make = raw, make

    def __missing__(self, key: int) -> _Periods | None:
        pairs = self.raw.pop(key, None)
        value = None if pairs is None else self.make(pairs)
        self[key] = value
        return value


class BusyIndex:
    """Busy periods per conseiller, per place and global, sorted for fast overlap checks."""

    def __init__(self, busy: Iterable[Busy] = ()) -> None:
        self._build(((b.conseiller_id, b.place_id, b.start, b.end) for b in busy), _DatetimePeriods)

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[int | None, int | None, int, int]]) -> "BusyIndex":
        """From (conseiller_id, place_id, start, end) rows in epoch minutes (what the database query gives)."""
        index = cls.__new__(cls)
        index._build(rows, _Periods)
        return index

    def _build(self, rows: Iterable[tuple], make: type[_Periods]) -> None:
        by_conseiller: dict[int, list] = {}
        by_place: dict[int, list] = {}
        everyone: list = []
        for conseiller_id, place_id, start, end in rows:
            if conseiller_id is not None:
                by_conseiller.setdefault(conseiller_id, []).append((start, end))
            elif place_id is not None:
                by_place.setdefault(place_id, []).append((start, end))
            else:
                everyone.append((start, end))
        self.conseiller = _OnFirstUse(by_conseiller, make)
        self.place = _OnFirstUse(by_place, make)
        self.everyone = make(everyone) if everyone else None

    def lists_for(self, conseiller_id: int, place_id: int) -> list[_Periods]:
        """What can block this conseiller at this place: own periods, the place's closures, global ones."""
        found = [self.conseiller[conseiller_id], self.place[place_id], self.everyone]
        return [p for p in found if p is not None]

    def conflict_end(self, conseiller_id: int, place_id: int, start: datetime, end: datetime) -> datetime | None:
        """The latest end among busy periods overlapping [start, end), or None when free."""
        latest = _latest(self.lists_for(conseiller_id, place_id), floor_minutes(start), ceil_minutes(end))
        return None if latest is None else from_minutes(latest)


def _latest(lists: list[_Periods], start: int, end: int) -> int | None:
    latest = None
    for periods in lists:
        found = periods.latest_overlap(start, end)
        if found is not None and (latest is None or found > latest):
            latest = found
    return latest


class SlotSearch:
    """One search walking the days in order; :meth:`scan` may be called again for later days.

    The offers are the same as one pass over every day would give: days are visited in order
    and a day is only ever scanned once, with busy periods that cover that whole day.
    """

    def __init__(
        self,
        openings: Sequence[Opening],
        motif: MotifRule,
        now: datetime,
        *,
        place_ids: Sequence[int] | None = None,
        preference: Preference | None = None,
        limit: int = 3,
        max_per_day: int | None = None,
    ) -> None:
        if motif.duration_minutes <= 0 or motif.duration_minutes % UNIT_MINUTES:
            raise SlotEngineError(f"duration {motif.duration_minutes} is not a positive multiple of {UNIT_MINUTES}")
        self.pref = preference or Preference()
        self.limit, self.max_per_day = limit, max_per_day
        self.duration = motif.duration_minutes
        now = to_utc(now)
        earliest = now + timedelta(minutes=motif.min_delay_minutes)
        latest = now + timedelta(days=motif.max_delay_days)
        self.earliest, self.latest = ceil_minutes(earliest), floor_minutes(latest)
        wanted = set(place_ids) if place_ids is not None else None
        self.by_weekday: dict[int, list[Opening]] = {}
        for opening in openings:  # keeps the callers' order: it decides which conseiller gets a shared time
            if wanted is None or opening.place_id in wanted:
                self.by_weekday.setdefault(opening.weekday, []).append(opening)
        self.conseiller_ids = sorted({o.conseiller_id for day in self.by_weekday.values() for o in day})
        self.found: list[Candidate] = []
        first = earliest.astimezone(PARIS).date()
        if self.pref.not_before_day and self.pref.not_before_day > first:
            first = self.pref.not_before_day
        stop = latest.astimezone(PARIS).date()
        if self.pref.day:
            stop = min(stop, self.pref.day) if self.pref.day >= first else self.pref.day - _DAY  # too soon: none
            first = self.pref.day
        self.next_day, self.stop_day = first, stop if self.by_weekday else first - _DAY

    @property
    def weekly_opening_minutes(self) -> int:
        """How long the searched openings last in a week (sizes the caller's database reads)."""
        return sum((o.end.hour - o.start.hour) * 60 + o.end.minute - o.start.minute
                   for day in self.by_weekday.values() for o in day)

    @property
    def finished(self) -> bool:
        """Enough offers, or no day left to look at."""
        return len(self.found) >= self.limit or self.next_day > self.stop_day

    def scan(self, index: BusyIndex, last_day: date) -> bool:
        """Scan the days up to ``last_day`` (the index must cover them); returns :attr:`finished`."""
        last = min(last_day, self.stop_day)
        while self.next_day <= last and len(self.found) < self.limit:
            self.found.extend(self._day(self.next_day, index))
            self.next_day += _DAY
        return self.finished

    def _day(self, day: date, index: BusyIndex) -> list[Candidate]:
        """The day's offers, in the order they are proposed, at most what is still wanted."""
        openings = [o for o in self.by_weekday.get(day.weekday(), ()) if o.applies_on(day)]
        if not openings:
            return []
        pref = self.pref
        wanted = self.limit - len(self.found)
        if self.max_per_day is not None:
            wanted = min(wanted, self.max_per_day)
        # Without `around`, the day's first offers come from each opening's first `wanted` ones.
        cap = None if pref.around is not None else wanted
        low = _wall(day, pref.earliest, True) if pref.earliest else self.earliest
        low = max(low, self.earliest)
        high = _wall(day, pref.latest, False) if pref.latest else None
        todays: dict[tuple[int, int], int] = {}
        for opening in openings:
            for start in self._opening(opening, day, index, low, high, cap):
                todays.setdefault((start, opening.place_id), opening.conseiller_id)
        ordered = sorted((start, place, conseiller) for (start, place), conseiller in todays.items())
        if pref.around is not None:
            target = _wall(day, pref.around, False)
            ordered.sort(key=lambda c: (abs(c[0] - target), c[0]))
        return [Candidate(from_minutes(s), p, c, from_minutes(s + self.duration)) for s, p, c in ordered[:wanted]]

    def _opening(self, opening: Opening, day: date, index: BusyIndex, low: int, high: int | None,
                 cap: int | None) -> list[int]:
        """Free starts in one opening on one day, in time order (at most ``cap``)."""
        duration, latest = self.duration, self.latest
        start, stop = _wall(day, opening.start, True), _wall(day, opening.end, False)
        lists = index.lists_for(opening.conseiller_id, opening.place_id)
        starts: list[int] = []
        while start + duration <= stop and start <= latest:
            end = start + duration
            if high is not None and end > high:
                break
            blocked = _latest(lists, start, end) if lists else None
            if blocked is not None:
                start = max(-(-blocked // UNIT_MINUTES) * UNIT_MINUTES, start + UNIT_MINUTES)
                continue
            if start >= low:
                starts.append(start)
                if cap is not None and len(starts) >= cap:
                    break
            start = end
        return starts


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
    search = SlotSearch(openings, motif, now, place_ids=place_ids, preference=preference, limit=limit,
                        max_per_day=max_per_day)
    index = busy if isinstance(busy, BusyIndex) else BusyIndex(busy)
    search.scan(index, last_day or search.stop_day)
    return search.found


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

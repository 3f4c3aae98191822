"""The slot engine as it was before the integer rewrite: slow, simple, obviously right.

Kept only as an oracle: ``test_slots_equivalence`` checks that the fast engine gives exactly
the same offers on random books (DST days, closures, absences, preferences).
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Iterable, Sequence

from actions.booking.availability import (
    PARIS,
    UNIT,
    Busy,
    Candidate,
    MotifRule,
    Opening,
    Preference,
    ceil_to_unit,
    local_to_utc,
    to_utc,
)


def _conflict_end(busy: list[Busy], conseiller_id: int, place_id: int, start: datetime, end: datetime):
    latest = None
    for b in busy:
        applies = (b.conseiller_id == conseiller_id if b.conseiller_id is not None
                   else b.place_id is None or b.place_id == place_id)
        if applies and to_utc(b.start) < end and to_utc(b.end) > start:
            latest = to_utc(b.end) if latest is None or to_utc(b.end) > latest else latest
    return latest


def reference_find_slots(
    openings: Sequence[Opening], busy: Iterable[Busy], motif: MotifRule, now: datetime, *,
    place_ids: Sequence[int] | None = None, preference: Preference | None = None, limit: int = 3,
    max_per_day: int | None = None, last_day: date | None = None,
) -> list[Candidate]:
    pref = preference or Preference()
    busy = list(busy)
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
        low = local_to_utc(day, pref.earliest) if pref.earliest else None
        high = local_to_utc(day, pref.latest) if pref.latest else None
        todays: dict[tuple[datetime, int], Candidate] = {}
        for opening in wanted:
            if not opening.applies_on(day):
                continue
            start, stop = local_to_utc(day, opening.start), local_to_utc(day, opening.end)
            while start + duration <= stop:
                end = start + duration
                blocked_until = _conflict_end(busy, opening.conseiller_id, opening.place_id, start, end)
                if blocked_until is not None:
                    start = max(ceil_to_unit(blocked_until), start + UNIT)
                    continue
                if (earliest_start <= start <= latest_start and (low is None or start >= low)
                        and (high is None or end <= high)):
                    todays.setdefault((start, opening.place_id),
                                      Candidate(start, opening.place_id, opening.conseiller_id, end))
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

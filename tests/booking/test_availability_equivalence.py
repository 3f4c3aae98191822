"""The fast slot engine gives exactly the offers of the simple reference engine, on random books."""
from __future__ import annotations

import random
from datetime import datetime, time, timedelta, timezone

import pytest

from actions.booking.availability import (
    PARIS,
    Busy,
    BusyIndex,
    MotifRule,
    Opening,
    Preference,
    SlotSearch,
    ceil_minutes,
    find_slots,
    floor_minutes,
)
from tests.booking.reference_engine import reference_find_slots

# Around both DST changes of 2026 (29 March, 25 October) and a plain winter week.
STARTS = [datetime(2026, 3, 25, 6, 0, tzinfo=timezone.utc), datetime(2026, 10, 21, 6, 0, tzinfo=timezone.utc),
          datetime(2026, 12, 1, 6, 0, tzinfo=timezone.utc)]


def wall(rng: random.Random, hours: range) -> time:
    return time(rng.choice(hours), rng.choice([0, 0, 15, 30, 45, 10]))


def random_book(rng: random.Random, now: datetime) -> tuple[list[Opening], list[Busy]]:
    places = [10, 20, 30][: rng.randint(1, 3)]
    openings = []
    for conseiller in range(1, rng.randint(2, 7)):
        for _ in range(rng.randint(1, 4)):
            night = rng.random() < 0.15  # 01:00-04:00 crosses the DST change on Sundays
            start = time(1) if night else wall(rng, range(8, 15))
            end = time(4) if night else time(min(23, start.hour + rng.randint(1, 5)), rng.choice([0, 30]))
            valid_from = now.date() + timedelta(days=rng.randint(0, 10)) if rng.random() < 0.2 else None
            openings.append(Opening(conseiller, rng.choice(places), 6 if night else rng.randrange(7), start, end,
                                    valid_from=valid_from))
    busy = []
    for _ in range(rng.randint(0, 60)):
        day = now.date() + timedelta(days=rng.randrange(25))
        start = datetime.combine(day, wall(rng, range(0, 23)), tzinfo=PARIS).astimezone(timezone.utc)
        length = timedelta(minutes=rng.choice([15, 30, 45, 60, 7, 90, 600, 1440]))
        who = rng.random()
        conseiller = rng.randrange(1, 7) if who < 0.8 else None
        place = rng.choice(places) if 0.8 <= who < 0.95 else None
        busy.append(Busy(start, start + length, conseiller, place))
    return openings, busy


def random_preference(rng: random.Random, now: datetime) -> Preference | None:
    day = (now + timedelta(days=rng.randrange(-1, 20))).astimezone(PARIS).date()
    return rng.choice([
        None,
        Preference(day=day),
        Preference(not_before_day=day),
        Preference(earliest=time(12), latest=time(18)),
        Preference(day=day, around=wall(rng, range(8, 17))),
        Preference(around=time(10, 20)),
        Preference(latest=time(11)),
    ])


@pytest.mark.parametrize("seed", range(300))
def test_fast_engine_matches_the_reference(seed: int) -> None:
    rng = random.Random(seed)
    now = rng.choice(STARTS) + timedelta(minutes=rng.randrange(0, 7 * 24 * 60), seconds=rng.randrange(60))
    openings, busy = random_book(rng, now)
    rule = MotifRule(rng.choice([15, 30, 45, 60, 90]), rng.choice([0, 120, 1440]), rng.choice([3, 14, 30]))
    kwargs = dict(
        place_ids=rng.choice([None, [10], [20, 30]]),
        preference=random_preference(rng, now),
        limit=rng.choice([1, 3, 6, 50]),
        max_per_day=rng.choice([None, 1, 2]),
    )
    expected = reference_find_slots(openings, busy, rule, now, **kwargs)
    assert find_slots(openings, busy, rule, now, **kwargs) == expected
    # Busy periods as the database query gives them (epoch minutes) give the same offers.
    rows = [(b.conseiller_id, b.place_id, floor_minutes(b.start), ceil_minutes(b.end)) for b in busy]
    assert find_slots(openings, BusyIndex.from_rows(rows), rule, now, **kwargs) == expected
    # Fed a few days at a time (as the database search does), the offers are the same.
    search = SlotSearch(openings, rule, now, **kwargs)
    index, step = BusyIndex(busy), rng.randint(1, 5)
    while not search.scan(index, search.next_day + timedelta(days=step - 1)):
        step *= 2
    assert search.found == expected

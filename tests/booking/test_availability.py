"""Slot engine: what a resident is offered must respect openings, bookings, absences, delays and DST."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest

from actions.booking.availability import (
    PARIS,
    Busy,
    BusyIndex,
    MotifRule,
    Opening,
    Preference,
    SlotEngineError,
    find_slots,
    is_free,
)

WEDNESDAY = date(2026, 12, 2)  # a Wednesday in winter (UTC+1)
MONDAY_BEFORE = datetime(2026, 11, 30, 8, 0, tzinfo=timezone.utc)


def paris(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm), tzinfo=PARIS)


def local_times(cands) -> list[str]:
    return [c.local_start.strftime("%Y-%m-%d %H:%M") for c in cands]


def wed_morning(conseiller: int = 1, place: int = 10) -> Opening:
    return Opening(conseiller, place, 2, time(9, 0), time(12, 0))


def test_slots_follow_the_opening_and_the_motif_duration() -> None:
    found = find_slots([wed_morning()], [], MotifRule(60), MONDAY_BEFORE, limit=5)
    assert local_times(found) == ["2026-12-02 09:00", "2026-12-02 10:00", "2026-12-02 11:00", "2026-12-09 09:00", "2026-12-09 10:00"]
    assert all(c.end - c.start == timedelta(minutes=60) for c in found)


def test_a_slot_never_runs_past_the_closing_time() -> None:
    opening = Opening(1, 10, 2, time(9, 0), time(10, 30))
    found = find_slots([opening], [], MotifRule(60), MONDAY_BEFORE, limit=2)
    assert local_times(found) == ["2026-12-02 09:00", "2026-12-09 09:00"]


def test_existing_appointment_is_skipped_and_the_gap_after_it_is_used() -> None:
    booked = Busy(paris(WEDNESDAY, 9), paris(WEDNESDAY, 9, 30), conseiller_id=1)
    found = find_slots([wed_morning()], [booked], MotifRule(60), MONDAY_BEFORE, limit=3)
    assert local_times(found) == ["2026-12-02 09:30", "2026-12-02 10:30", "2026-12-09 09:00"]


def test_another_conseillers_appointment_does_not_block() -> None:
    booked = Busy(paris(WEDNESDAY, 9), paris(WEDNESDAY, 12), conseiller_id=2)
    found = find_slots([wed_morning()], [booked], MotifRule(60), MONDAY_BEFORE, limit=1)
    assert local_times(found) == ["2026-12-02 09:00"]


def test_absence_of_the_conseiller_and_closure_of_the_place() -> None:
    absence = Busy(paris(WEDNESDAY, 0), paris(WEDNESDAY + timedelta(days=1), 0), conseiller_id=1)
    closure = Busy(paris(date(2026, 12, 9), 0), paris(date(2026, 12, 10), 0), place_id=10)
    found = find_slots([wed_morning()], [absence, closure], MotifRule(60), MONDAY_BEFORE, limit=1)
    assert local_times(found) == ["2026-12-16 09:00"]


def test_a_closure_of_another_place_does_not_block() -> None:
    closure = Busy(paris(WEDNESDAY, 0), paris(WEDNESDAY, 23), place_id=99)
    assert local_times(find_slots([wed_morning()], [closure], MotifRule(60), MONDAY_BEFORE, limit=1)) == [
        "2026-12-02 09:00"
    ]


def test_minimum_delay_hides_slots_too_soon() -> None:
    now = paris(WEDNESDAY, 8, 30).astimezone(timezone.utc)
    found = find_slots([wed_morning()], [], MotifRule(60, min_delay_minutes=120), now, limit=2)
    assert local_times(found) == ["2026-12-02 11:00", "2026-12-09 09:00"]


def test_maximum_delay_limits_how_far_one_can_book() -> None:
    found = find_slots([wed_morning()], [], MotifRule(60, max_delay_days=10), MONDAY_BEFORE, limit=50)
    assert {c.local_start.date() for c in found} == {WEDNESDAY, date(2026, 12, 9)}


def test_soonest_anywhere_mixes_places_and_a_place_filter_restricts() -> None:
    dynamo = Opening(1, 10, 2, time(14, 0), time(16, 0))
    media = Opening(2, 20, 3, time(9, 0), time(11, 0))  # Thursday
    ccas = Opening(3, 30, 2, time(9, 0), time(10, 0))
    anywhere = find_slots([dynamo, media, ccas], [], MotifRule(60), MONDAY_BEFORE, limit=3)
    assert [(c.place_id, c.local_start.strftime("%a %H:%M")) for c in anywhere] == [
        (30, "Wed 09:00"),
        (10, "Wed 14:00"),
        (10, "Wed 15:00"),
    ]
    only_media = find_slots([dynamo, media, ccas], [], MotifRule(60), MONDAY_BEFORE, place_ids=[20], limit=1)
    assert [(c.place_id, c.local_start.strftime("%a %H:%M")) for c in only_media] == [(20, "Thu 09:00")]


def test_two_conseillers_at_the_same_place_give_one_offer_per_time() -> None:
    found = find_slots([wed_morning(1), wed_morning(2)], [], MotifRule(60), MONDAY_BEFORE, limit=3)
    assert local_times(found) == ["2026-12-02 09:00", "2026-12-02 10:00", "2026-12-02 11:00"]


def test_second_conseiller_takes_over_when_the_first_is_booked() -> None:
    booked = Busy(paris(WEDNESDAY, 9), paris(WEDNESDAY, 10), conseiller_id=1)
    found = find_slots([wed_morning(1), wed_morning(2)], [booked], MotifRule(60), MONDAY_BEFORE, limit=1)
    assert (found[0].conseiller_id, local_times(found)) == (2, ["2026-12-02 09:00"])


def test_preference_for_a_day_part_and_time() -> None:
    opening = Opening(1, 10, 2, time(9, 0), time(17, 0))
    afternoon = Preference(day=date(2026, 12, 9), earliest=time(12, 0), latest=time(18, 0))
    found = find_slots([opening], [], MotifRule(60), MONDAY_BEFORE, preference=afternoon, limit=2)
    assert local_times(found) == ["2026-12-09 12:00", "2026-12-09 13:00"]
    around = Preference(day=WEDNESDAY, around=time(10, 20))
    found = find_slots([opening], [], MotifRule(60), MONDAY_BEFORE, preference=around, limit=2)
    assert local_times(found) == ["2026-12-02 10:00", "2026-12-02 11:00"]


def test_a_day_without_opening_gives_nothing_and_not_before_day_moves_on() -> None:
    assert find_slots([wed_morning()], [], MotifRule(60), MONDAY_BEFORE, preference=Preference(day=date(2026, 12, 3))) == []
    later = find_slots(
        [wed_morning()], [], MotifRule(60), MONDAY_BEFORE, preference=Preference(not_before_day=date(2026, 12, 3)), limit=1
    )
    assert local_times(later) == ["2026-12-09 09:00"]


def test_max_per_day_spreads_offers_over_days() -> None:
    found = find_slots([wed_morning()], [], MotifRule(30), MONDAY_BEFORE, limit=3, max_per_day=2)
    assert local_times(found) == ["2026-12-02 09:00", "2026-12-02 09:30", "2026-12-09 09:00"]


def test_summer_and_winter_openings_keep_the_same_wall_clock_time() -> None:
    now = datetime(2026, 3, 20, 8, 0, tzinfo=timezone.utc)
    found = find_slots([Opening(1, 10, 4, time(9, 0), time(10, 0))], [], MotifRule(60), now, limit=2)
    assert local_times(found) == ["2026-03-27 09:00", "2026-04-03 09:00"]
    assert [c.start.hour for c in found] == [8, 7]  # UTC+1, then UTC+2


def test_spring_forward_night_has_no_phantom_slot() -> None:
    # Sunday 29 March 2026: 02:00 does not exist in Paris. 01:00-04:00 is only 2 real hours.
    now = datetime(2026, 3, 23, tzinfo=timezone.utc)
    found = find_slots([Opening(1, 10, 6, time(1, 0), time(4, 0))], [], MotifRule(60), now, limit=3)
    assert local_times(found)[:2] == ["2026-03-29 01:00", "2026-03-29 03:00"]
    assert found[2].local_start.date() == date(2026, 4, 5)


def test_fall_back_night_has_one_more_real_hour() -> None:
    # Sunday 25 October 2026: 02:00-03:00 happens twice, so 01:00-04:00 lasts 4 real hours.
    now = datetime(2026, 10, 20, tzinfo=timezone.utc)
    found = find_slots([Opening(1, 10, 6, time(1, 0), time(4, 0))], [], MotifRule(60), now, limit=5)
    same_night = [c for c in found if c.local_start.date() == date(2026, 10, 25)]
    assert len(same_night) == 4
    assert [c.start.strftime("%H:%M") for c in same_night] == ["23:00", "00:00", "01:00", "02:00"]


def test_validity_period_of_an_opening() -> None:
    opening = Opening(1, 10, 2, time(9, 0), time(10, 0), valid_from=date(2026, 12, 9), valid_until=date(2026, 12, 16))
    found = find_slots([opening], [], MotifRule(60), MONDAY_BEFORE, limit=5)
    assert local_times(found) == ["2026-12-09 09:00", "2026-12-16 09:00"]


def test_durations_must_fit_the_unit() -> None:
    with pytest.raises(SlotEngineError):
        find_slots([wed_morning()], [], MotifRule(20), MONDAY_BEFORE)


def test_is_free_rechecks_a_chosen_slot() -> None:
    start = paris(WEDNESDAY, 10)
    assert is_free([wed_morning()], [], MotifRule(60), MONDAY_BEFORE, 1, 10, start)
    booked = Busy(paris(WEDNESDAY, 10, 30), paris(WEDNESDAY, 11), conseiller_id=1)
    assert not is_free([wed_morning()], BusyIndex([booked]), MotifRule(60), MONDAY_BEFORE, 1, 10, start)
    assert not is_free([wed_morning()], [], MotifRule(60), MONDAY_BEFORE, 1, 10, paris(WEDNESDAY, 10, 5))

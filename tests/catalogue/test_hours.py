"""Opening hours as residents live them: holidays, lunch breaks, clock changes, closures."""
from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from actions.catalogue.hours import (
    HoursSyntaxError,
    day_hours,
    describe_day,
    is_open_at,
    next_weekday,
    parse_hours,
    weekday_from_text,
)

PARIS = ZoneInfo("Europe/Paris")
UTC = ZoneInfo("UTC")
OFFICE = "Mo-Fr 08:30-12:00,13:30-17:00; PH off"


def paris(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=PARIS)


def test_closed_on_public_holidays():
    assert is_open_at(OFFICE, paris("2026-12-24 10:00")) is True
    assert is_open_at(OFFICE, paris("2026-12-25 10:00")) is False  # Christmas, a Friday
    assert is_open_at(OFFICE, paris("2026-05-14 10:00")) is False  # Ascension Thursday
    assert day_hours(OFFICE, date(2026, 7, 14)).ranges == ()  # Bastille Day, a Tuesday


def test_lunch_break():
    assert is_open_at(OFFICE, paris("2026-11-24 11:59")) is True
    assert is_open_at(OFFICE, paris("2026-11-24 12:30")) is False
    assert is_open_at(OFFICE, paris("2026-11-24 13:30")) is True
    day = day_hours(OFFICE, date(2026, 11, 24))
    assert day.ranges == ((time(8, 30), time(12, 0)), (time(13, 30), time(17, 0)))
    assert describe_day(day) == "ouvert de 8 h 30 à 12 h et de 13 h 30 à 17 h"


def test_week_of_the_spring_clock_change():
    # Summer time starts on Sunday 29 March 2026: 08:45 local is 07:45 UTC before, 06:45 UTC after.
    assert is_open_at(OFFICE, datetime(2026, 3, 27, 7, 45, tzinfo=UTC)) is True
    assert is_open_at(OFFICE, datetime(2026, 3, 30, 6, 45, tzinfo=UTC)) is True
    assert is_open_at(OFFICE, datetime(2026, 3, 30, 6, 15, tzinfo=UTC)) is False  # 08:15 local
    assert day_hours(OFFICE, date(2026, 3, 30)).ranges[0] == (time(8, 30), time(12, 0))


def test_week_of_the_autumn_clock_change():
    # Winter time starts on Sunday 25 October 2026: 16:45 local is 15:45 UTC after.
    assert is_open_at(OFFICE, datetime(2026, 10, 26, 15, 45, tzinfo=UTC)) is True
    assert is_open_at(OFFICE, datetime(2026, 10, 23, 15, 15, tzinfo=UTC)) is False  # 17:15 local


def test_naive_times_are_read_as_chambery_time():
    assert is_open_at(OFFICE, datetime(2026, 11, 24, 9, 0)) is True


def test_temporary_closure_wins_over_regular_hours():
    closures = [{"debut": "2026-11-23", "fin": "2026-11-27", "motif": "travaux"}]
    assert is_open_at(OFFICE, paris("2026-11-24 10:00"), closures) is False
    day = day_hours(OFFICE, date(2026, 11, 24), closures)
    assert describe_day(day) == "fermé (travaux)"
    assert is_open_at(OFFICE, paris("2026-11-30 10:00"), closures) is True


def test_unknown_hours_are_not_guessed():
    assert is_open_at(None, paris("2026-11-24 10:00")) is None
    assert describe_day(day_hours("", date(2026, 11, 24))) == "horaires inconnus"


def test_saturday_morning_only():
    hours = "Sa 09:00-12:00"
    saturday = next_weekday(weekday_from_text("samedi"), date(2026, 11, 25))
    assert saturday == date(2026, 11, 28)
    assert describe_day(day_hours(hours, saturday)) == "ouvert de 9 h à 12 h"
    assert day_hours(hours, date(2026, 11, 27)).is_open_that_day is False


def test_invalid_expression_is_reported():
    with pytest.raises(HoursSyntaxError):
        parse_hours("lundi matin")

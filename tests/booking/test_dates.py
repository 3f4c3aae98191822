"""French free-text dates: what the resident writes is the day and time they get offered."""
from __future__ import annotations

from datetime import date, time

import pytest

from actions.booking.dates import parse_when

TODAY = date(2026, 11, 25)  # a Wednesday


@pytest.mark.parametrize(
    "said, day, earliest, latest, around",
    [
        ("mardi après-midi", date(2026, 12, 1), time(12), time(18, 30), None),
        ("mardi aprem", date(2026, 12, 1), time(12), time(18, 30), None),
        ("le 3 décembre vers 10h", date(2026, 12, 3), None, None, time(10)),
        ("le 3 decembre a 14h30", date(2026, 12, 3), None, None, time(14, 30)),
        ("demain matin", date(2026, 11, 26), time(7), time(12, 30), None),
        ("apres demain", date(2026, 11, 27), None, None, None),
        ("jeudi 14h", date(2026, 11, 26), None, None, time(14)),
        ("vendredi avant 11h", date(2026, 11, 27), None, time(11), None),
        ("lundi apres 15h", date(2026, 11, 30), time(15), None, None),
        ("mercredi", date(2026, 12, 2), None, None, None),
        ("12/12", date(2026, 12, 12), None, None, None),
        ("le 2", date(2026, 12, 2), None, None, None),
        ("le 15 janvier matin", date(2027, 1, 15), time(7), time(12, 30), None),
        ("1er decembre", date(2026, 12, 1), None, None, None),
        ("vers 2h", None, None, None, time(14)),
    ],
)
def test_expressions(said, day, earliest, latest, around) -> None:
    got = parse_when(said, TODAY)
    assert got.understood
    assert (got.day, got.earliest, got.latest, got.around) == (day, earliest, latest, around)


def test_next_week_without_a_day_means_from_next_monday() -> None:
    got = parse_when("la semaine prochaine svp", TODAY)
    assert got.day is None and got.not_before_day == date(2026, 11, 30)


def test_weekday_next_week() -> None:
    # Said on a Wednesday: "lundi" is already next week, "jeudi de la semaine prochaine" is in 8 days.
    assert parse_when("jeudi semaine prochaine", TODAY).day == date(2026, 12, 3)


def test_relative_weeks() -> None:
    got = parse_when("dans 2 semaines", TODAY)
    assert got.understood and (got.day or got.not_before_day) >= date(2026, 12, 9)


@pytest.mark.parametrize("said", ["je sais pas", "n importe", "bof", ""])
def test_nothing_like_a_date(said: str) -> None:
    assert not parse_when(said, TODAY).understood

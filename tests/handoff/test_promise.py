"""The promise made to a resident follows the service's working hours and French public holidays."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from actions.handoff.promise import promise_at, promise_text

PARIS = ZoneInfo("Europe/Paris")
HOURS = "Mo-Fr 09:00-12:00,14:00-17:00; PH off"


def test_during_opening_hours_the_answer_comes_within_two_working_days():
    now = datetime(2026, 12, 7, 10, 0, tzinfo=PARIS)  # a Monday
    promise = promise_at(now, HOURS, 2)
    assert promise.open_now and promise.answer_by.isoformat() == "2026-12-09"
    assert promise_text(promise, now) == "Un conseiller vous répond au plus tard le mercredi 9 décembre."


def test_at_night_before_christmas_the_resident_is_told_when_it_will_be_read():
    now = datetime(2026, 12, 24, 18, 0, tzinfo=PARIS)  # Thursday evening; the 25th is a public holiday
    promise = promise_at(now, HOURS, 2)
    assert not promise.open_now
    text = promise_text(promise, now)
    assert "Le service est fermé en ce moment." in text
    assert "lue le lundi 28 décembre à partir de 9 h" in text
    assert "au plus tard le mardi 29 décembre" in text


def test_on_saturday_it_is_read_on_monday():
    now = datetime(2026, 12, 5, 11, 0, tzinfo=PARIS)
    text = promise_text(promise_at(now, HOURS, 2), now)
    assert "lundi 7 décembre à partir de 9 h" in text

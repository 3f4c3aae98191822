"""What Sésame may honestly promise a resident: when someone reads the case, and by when they answer.

The conseillers' working hours are a setting (``SESAME_HANDOFF_HOURS``, OSM opening_hours
syntax, evaluated with French public holidays by ``opening-hours-py`` through the
catalogue's parser). A "working day" is a day on which those hours open at all.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from actions.catalogue.hours import WEEKDAYS_FR, local_tz, parse_hours
from actions.common.settings import get_settings

MONTHS_FR = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
             "septembre", "octobre", "novembre", "décembre")


@dataclass(frozen=True)
class Promise:
    """``open_now``: someone reads the queue now; ``read_from``: else, when they start again."""

    open_now: bool
    read_from: datetime | None
    answer_by: date


def _is_working_day(expression: str, day: date) -> bool:
    hours = parse_hours(expression)
    start = datetime(day.year, day.month, day.day, tzinfo=local_tz())
    if hours.is_open(start):
        return True
    change = hours.next_change(start)
    return change is not None and change.date() == day and hours.is_open(change)


def working_days_after(start: date, days: int, expression: str) -> date:
    """The date ``days`` working days after ``start`` (``start`` itself never counts)."""
    day, counted = start, 0
    for _ in range(366):
        day += timedelta(days=1)
        if _is_working_day(expression, day):
            counted += 1
            if counted == days:
                return day
    return day


def promise_at(now: datetime, expression: str | None = None, delay_days: int | None = None) -> Promise:
    """The promise for a case created at ``now`` (aware or local naive)."""
    settings = get_settings()
    expression = expression or settings.handoff_hours
    delay_days = settings.handoff_delay_days if delay_days is None else delay_days
    local = now.astimezone(local_tz()) if now.tzinfo else now.replace(tzinfo=local_tz())
    hours = parse_hours(expression)
    if hours.is_open(local):
        return Promise(True, None, working_days_after(local.date(), delay_days, expression))
    read_from = hours.next_change(local)
    first_day = read_from.date() if read_from else local.date()
    # The day it is first read counts as the first working day of the delay.
    answer_by = working_days_after(first_day, max(0, delay_days - 1), expression) if delay_days > 1 else first_day
    return Promise(False, read_from, answer_by)


def say_day(day: date, today: date) -> str:
    """``aujourd'hui``, ``demain``, or ``le mardi 8 décembre``."""
    if day == today:
        return "aujourd'hui"
    if day == today + timedelta(days=1):
        return "demain"
    return f"le {WEEKDAYS_FR[day.weekday()]} {day.day}{'er' if day.day == 1 else ''} {MONTHS_FR[day.month - 1]}"


def say_time(moment: datetime) -> str:
    """``9 h`` or ``13 h 30``."""
    return f"{moment.hour} h" + (f" {moment.minute:02d}" if moment.minute else "")


def promise_text(promise: Promise, now: datetime) -> str:
    """One or two plain sentences; never a promise the hours cannot keep."""
    today = (now.astimezone(local_tz()) if now.tzinfo else now).date()
    answer = f"Un conseiller vous répond au plus tard {say_day(promise.answer_by, today)}."
    if promise.open_now or promise.read_from is None:
        return answer
    reopen = promise.read_from.astimezone(local_tz())
    return (f"Le service est fermé en ce moment. Votre demande sera lue {say_day(reopen.date(), today)}"
            f" à partir de {say_time(reopen)}. " + answer)

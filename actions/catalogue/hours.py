"""Opening hours in OSM ``opening_hours`` syntax, evaluated in Chambéry's local time.

Parsing and evaluation are delegated to the maintained ``opening-hours-py`` library (public
holidays of France with ``PH``, lunch breaks, daylight-saving changes). We add what the OSM
syntax cannot say: temporary closures (``x_fermetures``) and "we do not know".
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any, Iterable
from zoneinfo import ZoneInfo

# ParserError exists at run time but is missing from the package's type stubs.
from opening_hours import OpeningHours, ParserError, State  # type: ignore[attr-defined]

from actions.common.settings import get_settings
from actions.common.text import fold

WEEKDAYS_FR = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")


class HoursSyntaxError(ValueError):
    """The text is not a valid OSM opening_hours expression."""


def local_tz() -> ZoneInfo:
    return ZoneInfo(get_settings().timezone)


def now_local() -> datetime:
    return datetime.now(local_tz())


@lru_cache(maxsize=8192)
def parse_hours(expression: str) -> OpeningHours:
    """Parse once, reuse: the same few expressions are evaluated on every search."""
    try:
        return OpeningHours(expression, timezone=local_tz(), country="FR")
    except (ParserError, SyntaxError, ValueError) as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else "syntaxe invalide"
        raise HoursSyntaxError(f"horaires illisibles ({expression!r}) : {first_line}") from exc


def closed_for(fermetures: Iterable[dict[str, Any]] | None, day: date) -> str | None:
    """The reason of a temporary closure covering ``day`` ("" when none given), else None."""
    for closure in fermetures or ():
        start = date.fromisoformat(str(closure["debut"]))
        end = date.fromisoformat(str(closure["fin"]))
        if start <= day <= end:
            return str(closure.get("motif") or "")
    return None


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=local_tz())


def is_open_at(
    expression: str | None, at: datetime, fermetures: Iterable[dict[str, Any]] | None = None
) -> bool | None:
    """True/False when we know, None when the hours are unknown or unparsable."""
    at = _aware(at).astimezone(local_tz())
    if closed_for(fermetures, at.date()) is not None:
        return False
    if not expression:
        return None
    try:
        oh = parse_hours(expression)
    except HoursSyntaxError:
        return None
    state, _comment = oh.state(at)
    if state == State.UNKNOWN:
        return None
    return state == State.OPEN


@dataclass(frozen=True)
class DayHours:
    """Opening ranges of one local day; ``known`` is False when we cannot tell."""

    day: date
    known: bool
    ranges: tuple[tuple[time, time], ...] = ()
    closure_reason: str | None = None

    @property
    def is_open_that_day(self) -> bool:
        return self.known and bool(self.ranges)


def day_hours(
    expression: str | None, day: date, fermetures: Iterable[dict[str, Any]] | None = None
) -> DayHours:
    """The opening ranges of ``day`` in local time (holidays and closures applied)."""
    reason = closed_for(fermetures, day)
    if reason is not None:
        return DayHours(day, True, (), reason)
    if not expression:
        return DayHours(day, False)
    try:
        oh = parse_hours(expression)
    except HoursSyntaxError:
        return DayHours(day, False)
    tz = local_tz()
    start = datetime.combine(day, time(0, 0), tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=tz)
    ranges: list[tuple[time, time]] = []
    for begin, finish, state, _comment in oh.intervals(start, end):
        if state == State.UNKNOWN:
            return DayHours(day, False)
        if state == State.OPEN:
            begin_local = begin.astimezone(tz)
            finish_local = finish.astimezone(tz) if finish else end
            last = time(23, 59) if finish_local >= end else finish_local.time()
            ranges.append((begin_local.time(), last))
    return DayHours(day, True, tuple(ranges))


def next_weekday(weekday: int, today: date) -> date:
    """The next date (today included) falling on ``weekday`` (0 = Monday)."""
    return today + timedelta(days=(weekday - today.weekday()) % 7)


def weekday_from_text(text: str) -> int | None:
    """``"samedi"`` → 5. Accepts folded French day names."""
    folded = fold(text)
    for index, name in enumerate(WEEKDAYS_FR):
        if name in folded:
            return index
    return None


def format_time(value: time) -> str:
    """``08:30`` → ``8 h 30``; ``12:00`` → ``12 h`` (as French residents read it)."""
    return f"{value.hour} h" if value.minute == 0 else f"{value.hour} h {value.minute:02d}"


def describe_day(hours: DayHours) -> str:
    """A short plain-French sentence part: "ouvert de 9 h à 12 h et de 14 h à 17 h"."""
    if not hours.known:
        return "horaires inconnus"
    if not hours.ranges:
        if hours.closure_reason:
            return f"fermé ({hours.closure_reason})"
        return "fermé"
    parts = [f"de {format_time(a)} à {format_time(b)}" for a, b in hours.ranges]
    return "ouvert " + " et ".join(parts)

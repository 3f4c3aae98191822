"""French dates and times in the resident's words → a slot search preference.

"mardi après-midi", "le 3 décembre vers 10h", "demain matin", "apres 15h",
"la semaine prochaine". Parts of the day, clock times and weekdays are read
with small rules (dateparser confuses "jeudi 14h" with the 14th); calendar
dates ("3 décembre", "12/12", "dans 2 semaines") go to dateparser, which
handles French months, numbers and relative expressions without a server.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from actions.booking.availability import Preference
from actions.common.text import fold

WEEKDAYS = {"lundi": 0, "mardi": 1, "mercredi": 2, "jeudi": 3, "vendredi": 4, "samedi": 5, "dimanche": 6}
MONTH_WORDS = (
    "janv", "fevr", "mars", "avr", "mai", "juin", "juil", "aout", "sept", "oct", "nov", "dec"
)

# (pattern, earliest, latest): checked in this order, the first match wins.
PARTS_OF_DAY: list[tuple[re.Pattern[str], time, time]] = [
    (re.compile(r"\bfin (de |d )?(la )?matin(ee)?\b"), time(10, 0), time(12, 30)),
    (re.compile(r"\bdebut (d |de l )?apre?s?[ -]?midi\b"), time(12, 0), time(15, 0)),
    (re.compile(r"\bfin (d |de l )?apre?s?[ -]?midi\b"), time(15, 0), time(18, 30)),
    (re.compile(r"\b(apres[ -]?midi|aprem|aprm|apm|aprs midi|ap midi)\b"), time(12, 0), time(18, 30)),
    (re.compile(r"\b(matin|matinee|mat1)\b"), time(7, 0), time(12, 30)),
    (re.compile(r"\b(soir|soiree|fin de journee)\b"), time(17, 0), time(21, 0)),
    (re.compile(r"\bmidi\b"), time(11, 30), time(14, 0)),
]

_TIME = re.compile(r"\b(?P<h>[01]?\d|2[0-3])\s*(?:h|heures?|:)\s*(?P<m>[0-5]\d)?\b")
_BEFORE = re.compile(r"\b(avant|pas apres|au plus tard a?)\s*$")
_AFTER = re.compile(r"\b(apres|a partir de|pas avant|des)\s*$")
_WEEKDAY = re.compile(r"\b(" + "|".join(WEEKDAYS) + r")\b")
_NEXT_WEEK = re.compile(r"\bsemaine (pro(chaine)?|suivante)\b")
_THIS_WEEK = re.compile(r"\bcette semaine\b")
# Calendar expressions, most specific first ("le 15 janvier" must not stop at "le 15").
_EXPLICIT_DATES = [
    re.compile(r"\b\d{1,2}\s*(er)?\s*(" + "|".join(MONTH_WORDS) + r")[a-z]*\.?(\s*\d{4})?"),
    re.compile(r"\b\d{1,2}/\d{1,2}(/\d{2,4})?\b"),
    re.compile(r"\bdans (\d+|un|une) (jours?|semaines?|mois)\b"),
    re.compile(r"\b(le|du) \d{1,2}(er)?\b"),
]


@dataclass(frozen=True)
class DateRequest:
    """What was understood; ``understood`` is False when nothing looked like a date or time."""

    day: date | None = None
    earliest: time | None = None
    latest: time | None = None
    around: time | None = None
    not_before_day: date | None = None
    understood: bool = False

    def to_preference(self) -> Preference:
        return Preference(
            day=self.day, earliest=self.earliest, latest=self.latest, around=self.around,
            not_before_day=self.not_before_day,
        )


def _clock(text: str) -> tuple[time | None, time | None, time | None, str]:
    """(around, earliest, latest, text without the time) from "vers 10h", "avant 11h", "apres 15h30"."""
    match = _TIME.search(text)
    if not match:
        return None, None, None, text
    hour = int(match.group("h"))
    minute = int(match.group("m") or 0)
    if hour < 7 and not re.search(r"\b(du )?matin\b", text):
        hour += 12  # "vers 2h" means 14:00 for an appointment
    moment = time(hour, minute)
    before = text[: match.start()]
    rest = text[: match.start()] + " " + text[match.end():]
    if _BEFORE.search(before):
        return None, None, moment, rest
    if _AFTER.search(before):
        return None, moment, None, rest
    return moment, None, None, rest


def _explicit_day(fragment: str, today: date) -> tuple[date | None, str | None]:
    """(date, dateparser period) for a calendar expression, rolled into the future if needed."""
    import dateparser  # lazy: the action server must import quickly

    base = datetime.combine(today, time(12, 0))
    settings = {"PREFER_DATES_FROM": "future", "RELATIVE_BASE": base, "DATE_ORDER": "DMY",
                "PREFER_DAY_OF_MONTH": "first"}
    cleaned = re.sub(r"^(le|du)\s+", "", fragment)
    data = dateparser.date.DateDataParser(languages=["fr"], settings=settings).get_date_data(cleaned)
    if data is None or data.date_obj is None:
        return None, None
    found = data.date_obj.date()
    if found < today and re.fullmatch(r"\d{1,2}(er)?", cleaned.strip()):
        month = today.month % 12 + 1
        year = today.year + (1 if month == 1 else 0)
        try:
            found = found.replace(year=year, month=month)
        except ValueError:
            return None, None
    if found < today:
        try:
            found = found.replace(year=found.year + 1)
        except ValueError:
            return None, None
    return found, data.period


def parse_when(text: str, today: date) -> DateRequest:
    """Read a French date / time request relative to ``today`` (Paris date)."""
    folded = fold(text).replace("-", " ").replace("'", " ")
    folded = re.sub(r"\b(rdv|rendez vous|svp|stp|plutot|si possible|je prefere|je voudrais|je veux)\b", " ", folded)
    around, earliest, latest, folded = _clock(folded)
    for pattern, low, high in PARTS_OF_DAY:
        if pattern.search(folded):
            earliest = earliest or low
            latest = latest or high
            folded = pattern.sub(" ", folded)
            break

    day: date | None = None
    not_before: date | None = None
    if re.search(r"\bapres demain\b", folded):
        day = today + timedelta(days=2)
    elif re.search(r"\bdemain\b", folded):
        day = today + timedelta(days=1)
    elif re.search(r"\baujourd ?hui\b|\bce (matin|soir)\b|\bcet apres\b", folded):
        day = today
    explicit = next((m for m in (p.search(folded) for p in _EXPLICIT_DATES) if m), None)
    if day is None and explicit:
        found, period = _explicit_day(explicit.group(0), today)
        if found and period == "day":
            day = found
        elif found:
            not_before = found
    weekday = _WEEKDAY.search(folded)
    if day is None and weekday:
        wanted = WEEKDAYS[weekday.group(1)]
        ahead = (wanted - today.weekday()) % 7 or 7
        if _NEXT_WEEK.search(folded):
            ahead += 7 if ahead < 7 - today.weekday() else 0
        day = today + timedelta(days=ahead)
    elif day is None and not_before is None and _NEXT_WEEK.search(folded):
        not_before = today + timedelta(days=7 - today.weekday())
    elif day is None and not_before is None and _THIS_WEEK.search(folded):
        not_before = today
    understood = any(v is not None for v in (day, earliest, latest, around, not_before))
    return DateRequest(day, earliest, latest, around, not_before, understood)

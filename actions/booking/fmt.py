"""French wording of dates and times as residents read them ("mardi 1 décembre à 14 h 30")."""
from __future__ import annotations

from datetime import datetime

from actions.booking.availability import PARIS, to_utc

DAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
          "octobre", "novembre", "décembre"]


def hour_fr(moment: datetime) -> str:
    """``14 h 30`` / ``9 h`` in Paris time."""
    local = to_utc(moment).astimezone(PARIS)
    return f"{local.hour} h {local.minute:02d}" if local.minute else f"{local.hour} h"


def day_fr(moment: datetime) -> str:
    """``mardi 1 décembre`` in Paris time."""
    local = to_utc(moment).astimezone(PARIS)
    return f"{DAYS[local.weekday()]} {local.day} {MONTHS[local.month - 1]}"


def when_fr(moment: datetime) -> str:
    """``mardi 1 décembre à 14 h 30``."""
    return f"{day_fr(moment)} à {hour_fr(moment)}"

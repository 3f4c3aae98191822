"""Picking an offered time in the end-to-end booking tests, whatever the time of day they run.

An appointment less than 4 hours away can no longer be moved or cancelled in conversation
(actions/booking/service.py, CANCEL_DEADLINE). The soonest offer can be this afternoon
when the tests run in the morning, so the tests that move or cancel what they book take
the first offer on a later day, asking for "un autre jour" as a resident would.
"""
from __future__ import annotations

from datetime import datetime, time
from typing import Callable

from actions.booking.conversation import when_fr
from actions.booking.availability import PARIS


def buttons(replies: list[dict]) -> list[dict]:
    return [b for r in replies for b in r.get("buttons", [])]


def first_offer_after_today(say: Callable[[str], list[dict]], replies: list[dict], tries: int = 4) -> dict:
    """The first offered time (a button) that is not today, asking for other days if needed."""
    today = datetime.now(PARIS).date()
    today_label = when_fr(datetime.combine(today, time(12), PARIS)).split(" à ")[0]  # "jeudi 3 décembre"
    for _ in range(tries):
        offers = [b for b in buttons(replies) if b["payload"] != "un autre jour"]
        later = [b for b in offers if not b["title"].startswith(today_label + " à ")]
        if later:
            return later[0]
        replies = say("un autre jour")
    raise AssertionError(f"no offer after today in {tries} tries: {replies}")

"""What Sésame showed last: a guide or a list of services.

"La suite" and "voir plus" mean "more of what you just showed me". The NLU cannot
tell which from the words alone (both intents share them), so the action that runs
checks the conversation and continues whatever the resident was reading. The clue
is the state each capability writes when it shows something: `guide_page` for a
guide page, `catalogue_offset` for a page of services. Slot events are used rather
than action names because an action may hand over to the other capability.
"""
from __future__ import annotations

from typing import Any, Iterable, Literal, Mapping

Topic = Literal["guide", "catalogue"]

GUIDE_SLOTS = frozenset({"guide_page"})
CATALOGUE_SLOTS = frozenset({"catalogue_offset"})


def last_topic(events: Iterable[Mapping[str, Any]]) -> Topic | None:
    """The capability that showed something last, from ``events`` (oldest first)."""
    for event in reversed(list(events)):
        if event.get("event") != "slot":
            continue
        if event.get("name") in GUIDE_SLOTS:
            return "guide"
        if event.get("name") in CATALOGUE_SLOTS:
            return "catalogue"
    return None

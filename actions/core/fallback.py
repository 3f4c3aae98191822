"""Two-stage fallback: first ask to rephrase, then offer a person.

Counting happens on the raw event list (reverted turns included), so repeated
misunderstandings are noticed even though the first one is undone for the dialogue.
"""
from __future__ import annotations

from typing import Any, Iterable

FALLBACK_INTENTS = {"nlu_fallback"}


def consecutive_fallbacks(events: Iterable[dict[str, Any]]) -> int:
    """How many of the latest user messages in a row were not understood."""
    count = 0
    answered = False  # the catalogue answered that message after all (its search slot was set)
    for event in reversed(list(events)):
        if event.get("event") == "slot" and event.get("name") == "catalogue_demande":
            answered = True
            continue
        if event.get("event") != "user":
            continue
        intent = (event.get("parse_data") or {}).get("intent", {}).get("name")
        if intent in FALLBACK_INTENTS and not answered:
            count += 1
            answered = False
        else:
            break
    return count


def fallback_stage(events: Iterable[dict[str, Any]]) -> str:
    """``rephrase`` on the first misunderstanding, ``human`` from the second on."""
    return "human" if consecutive_fallbacks(events) >= 2 else "rephrase"

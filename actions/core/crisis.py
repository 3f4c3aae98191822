"""The last net for an emergency the NLU model did not recognise, but whose words it saw.

The NLU's second check (bot/nlu/urgent_check.py) writes into the parse data the kinds of
emergency a message names in plain words (``crisis_words``), figures of speech excluded.
When an action would otherwise answer with services or "pouvez-vous le dire autrement ?",
it gives that emergency's answer instead: a missed emergency costs more than a wrong number.
"""
from __future__ import annotations

from typing import Any, Mapping

CRISIS_WORDS = "crisis_words"  # same key as bot.nlu.urgent_check.CRISIS_WORDS (the parse data)
ORDER = ("urgent_suicide", "urgent_child", "urgent_violence", "urgent_medical", "urgent_shelter")


def crisis_response(latest_message: Mapping[str, Any] | None) -> str | None:
    """``utter_urgent_*`` for the gravest emergency the words named, or None."""
    named = set((latest_message or {}).get(CRISIS_WORDS) or ())
    for intent in ORDER:
        if intent in named:
            return "utter_" + intent
    return None

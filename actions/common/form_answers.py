"""What an answer to a form question does, decided without Rasa (used by every form's validator).

A form question's answer is one of three :data:`Decision`\\ s, returned by the capabilities'
plain functions and applied by :class:`actions.common.form_validation.KindFormValidation`:

- :class:`Accept`: the slot takes this value (the failure count of the question is cleared);
- :class:`Reject`: not understood; the question is asked again kindly (a person is offered
  from the second failure on);
- :class:`Redirect`: the answer changes other slots (go back to the offers, switch to the
  cancel form…), with what to say.

Every question understands "retour" (:data:`BACK`) and "annuler" (:data:`CANCEL`). Urgent
and help intents are never swallowed as an answer (:func:`is_answer`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional, Union

from actions.common.reply import Message
from actions.common.text import fold

MAX_FAILURES = 2
BACK = "back"
CANCEL = "cancel"

_BACK_WORDS = re.compile(r"^(retour|revenir|precedent|en arriere|etape precedente|je me suis trompe\w*|retour en arriere)\W*$")
_CANCEL_WORDS = re.compile(
    r"^(annuler|annule|annul|stop|arreter|arrete|laisse tomber|laissez tomber|j arrete|on arrete|"
    r"non merci|abandonner|je veux plus|je ne veux plus|c est bon laisse)\W*$"
)
# Intents that interrupt a form question (rules answer them, then the form resumes)...
INTERRUPTING_INTENTS = frozenset({
    "urgent_shelter", "urgent_violence", "urgent_child", "urgent_suicide", "urgent_medical",
    "ask_human", "restart",
})
# ...unless the message is plainly an answer to the question: the NLU model tends to read a
# bare phone number as an urgent number, and a "2" as anything. Such answers are never urgent.
PLAIN_DIGITS = re.compile(r"^[\d\s.+\-()/]{1,20}$")


@dataclass(frozen=True)
class Accept:
    """The answer fills the slot with ``value`` (and ``also`` these slots), after saying ``messages``."""

    value: Any
    also: Mapping[str, Any] = field(default_factory=dict)
    messages: tuple[Message, ...] = ()


@dataclass(frozen=True)
class Reject:
    """Not understood: say ``response`` and ask again."""

    response: str
    variables: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Redirect:
    """The answer sets these slots (the question's own slot included) after saying ``messages``."""

    updates: Mapping[str, Any]
    messages: tuple[Message, ...] = ()


Decision = Union[Accept, Reject, Redirect]


def control_word(text: str) -> Optional[str]:
    """"retour" → BACK, "annuler" → CANCEL, anything else → None."""
    said = fold(text).replace("'", " ").strip(" .!?")
    if _BACK_WORDS.match(said):
        return BACK
    if _CANCEL_WORDS.match(said):
        return CANCEL
    return None


def is_plain_digits(text: str) -> bool:
    """Digits, spaces and phone punctuation only: a number typed as an answer."""
    return bool(PLAIN_DIGITS.match(text.strip()))


def is_answer(text: str, intent: Optional[str], plainly_an_answer: bool) -> bool:
    """True when the message answers the question asked rather than interrupting the form.

    ``plainly_an_answer`` is the question's own reading (a number, a first name…), which wins
    over an NLU intent of "a person" or "restart"; urgency wins unless the text is only digits.
    """
    if not text:
        return False
    if intent and intent.startswith("urgent_"):
        return bool(PLAIN_DIGITS.match(text))
    return intent not in INTERRUPTING_INTENTS or plainly_an_answer


def step_back(slot: str, form_slots: list[str]) -> tuple[dict[str, Any], bool]:
    """Slot updates for "retour" at ``slot``, and whether it was already the first question."""
    index = form_slots.index(slot)
    updates: dict[str, Any] = {slot: None}
    if index > 0:
        updates[form_slots[index - 1]] = None
    return updates, index == 0


def count_failure(counts: Mapping[str, Any] | None, slot: str) -> tuple[dict[str, Any], bool]:
    """The failure counts with one more for ``slot``, and whether to offer a person now."""
    updated = dict(counts or {})
    updated[slot] = int(updated.get(slot, 0)) + 1
    return updated, updated[slot] >= MAX_FAILURES


def clear_failures(counts: Mapping[str, Any] | None, slot: str) -> dict[str, Any]:
    """The failure counts without ``slot`` (it was answered)."""
    updated = dict(counts or {})
    updated.pop(slot, None)
    return updated

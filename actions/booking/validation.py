"""A base class for form validation that stays kind when the resident struggles.

Every form step understands "retour" (go back one step) and "annuler" (stop the
form). After two failed answers to the same question the form offers a human,
instead of asking a third time the same way. Urgent and help intents are never
swallowed as an answer: extraction returns nothing, the form is "rejected" and
the rules with ``active_loop`` conditions answer the urgency, then resume.
"""
from __future__ import annotations

from abc import ABCMeta, abstractmethod

import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

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
_PLAIN_DIGITS = re.compile(r"^[\d\s.+\-()/]{1,20}$")


def control_word(text: str) -> Optional[str]:
    """"retour" → BACK, "annuler" → CANCEL, anything else → None."""
    said = fold(text).replace("'", " ").strip(" .!?")
    if _BACK_WORDS.match(said):
        return BACK
    if _CANCEL_WORDS.match(said):
        return CANCEL
    return None


class KindFormValidation(FormValidationAction, metaclass=ABCMeta):
    """Subclasses list ``form_slots`` (in order) and name their slots for failures and abort.

    ``failures_slot`` holds a dict {slot: count}; ``aborted_slot`` a bool read by the submit action;
    ``human_response`` is uttered (with a button to a person) after MAX_FAILURES failures.
    """

    form_slots: List[Text] = []
    failures_slot: Text = ""

    @abstractmethod
    def name(self) -> Text:
        """Abstract, so the action server does not register the base class itself."""
    aborted_slot: Text = ""
    human_response: Text = ""

    async def required_slots(
        self, domain_slots: List[Text], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Text]:
        if tracker.get_slot(self.aborted_slot):
            return []
        return domain_slots

    # --- helpers for subclasses ------------------------------------------------------------
    def answer_text(self, tracker: Tracker, slot: Text) -> Optional[Text]:
        """The resident's answer to ``slot`` when it is the question being asked, else None."""
        if tracker.get_slot("requested_slot") != slot or tracker.active_loop_name is None:
            return None
        message = tracker.latest_message or {}
        intent = (message.get("intent") or {}).get("name")
        text = (message.get("text") or "").strip()
        if not text:
            return None
        if intent and intent.startswith("urgent_"):
            # Urgent wins, unless the message is only digits (a phone number, a choice number).
            return text if _PLAIN_DIGITS.match(text) else None
        if intent in INTERRUPTING_INTENTS and not self.plain_answer(slot, text):
            return None
        return text

    def plain_answer(self, slot: Text, text: Text) -> bool:
        """True when ``text`` is clearly an answer to ``slot`` though NLU read it as "a person" or "restart"."""
        return bool(_PLAIN_DIGITS.match(text.strip()))

    def control(self, tracker: Tracker, slot: Text, dispatcher: CollectingDispatcher) -> Optional[Dict[Text, Any]]:
        """Slot updates for "retour" / "annuler" typed at step ``slot``, else None."""
        word = control_word(tracker.latest_message.get("text") or "")
        if word == CANCEL:
            return {slot: None, self.aborted_slot: True}
        if word == BACK:
            index = self.form_slots.index(slot)
            updates: Dict[Text, Any] = {slot: None}
            if index > 0:
                updates[self.form_slots[index - 1]] = None
            else:
                dispatcher.utter_message(response="utter_form_first_step")
            return updates
        return None

    def fail(self, slot: Text, response: Text, dispatcher: CollectingDispatcher, tracker: Tracker,
             **variables: Any) -> Dict[Text, Any]:
        """Record a failed answer: re-ask kindly, and offer a person from the second failure on."""
        counts = dict(tracker.get_slot(self.failures_slot) or {})
        counts[slot] = int(counts.get(slot, 0)) + 1
        dispatcher.utter_message(response=response, **variables)
        if counts[slot] >= MAX_FAILURES:
            dispatcher.utter_message(response=self.human_response)
        return {slot: None, self.failures_slot: counts}

    def succeed(self, slot: Text, value: Any, tracker: Tracker) -> Dict[Text, Any]:
        counts = dict(tracker.get_slot(self.failures_slot) or {})
        counts.pop(slot, None)
        return {slot: value, self.failures_slot: counts}

"""The one base for form validators: read the answer, call a plain function, apply its decision.

Every form step understands "retour" (go back one step) and "annuler" (stop the form). After
two failed answers to the same question the form offers a person, instead of asking a third
time the same way. Urgent and help intents are never swallowed as an answer: extraction
returns nothing, Rasa's form is "rejected" and the rules with ``active_loop`` conditions answer
the urgency, then the form resumes.

Extraction is generic: for each required slot, the text of the resident's message when it
answers the question being asked (:meth:`KindFormValidation.answer_text`), else what
:meth:`KindFormValidation.prefill` reads in the message that opened the form. A subclass
writes no ``extract_*`` method; its ``validate_<slot>`` methods call :meth:`decide` with one
plain function returning a :data:`~actions.common.form_answers.Decision`.
"""
from __future__ import annotations

from abc import ABCMeta, abstractmethod
from typing import Any, Callable, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions.common.dispatch import utter
from actions.common.form_answers import (
    BACK,
    CANCEL,
    Accept,
    Decision,
    Reject,
    clear_failures,
    control_word,
    count_failure,
    is_answer,
    is_plain_digits,
    step_back,
)
from actions.common.reply import say


class KindFormValidation(FormValidationAction, metaclass=ABCMeta):
    """Subclasses list ``form_slots`` (in order) and name their slots for failures and abort.

    ``failures_slot`` holds a dict {slot: count}; ``aborted_slot`` a value read by the submit
    action (True, or a reason); ``human_response`` is said (with a button to a person) after
    two failures at the same question.
    """

    form_slots: List[Text] = []
    failures_slot: Text = ""
    aborted_slot: Text = ""
    human_response: Text = ""
    #: When "retour" or "annuler" empties a slot named here, these slots are emptied with it.
    cleared_with: Dict[Text, List[Text]] = {}

    @abstractmethod
    def name(self) -> Text:
        """Abstract, so the action server does not register the base class itself."""

    async def required_slots(
        self, domain_slots: List[Text], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Text]:
        """No slot is left to ask once the resident stopped (or a problem was told)."""
        if tracker.get_slot(self.aborted_slot):
            return []
        return domain_slots

    # --- extraction ------------------------------------------------------------------------
    async def get_extraction_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """rasa-sdk's loop over the required slots, with one generic extractor for all of them."""
        extracted: Dict[Text, Any] = {}
        for slot in await self.required_slots(self.domain_slots(domain), dispatcher, tracker, domain):
            found = self.extract(slot, tracker)
            extracted.update(found)
            tracker.slots.update(found)  # later slots see it, as in rasa-sdk
        return [SlotSet(slot, value) for slot, value in extracted.items()]

    def extract(self, slot: Text, tracker: Tracker) -> Dict[Text, Any]:
        """The answer to ``slot`` when it is the question asked; else what the opening message gives."""
        text = self.answer_text(tracker, slot)
        if text is not None:
            return {slot: text}
        if tracker.get_slot("requested_slot") is None and not tracker.get_slot(slot):
            opening = ((tracker.latest_message or {}).get("text") or "").strip()
            value = self.prefill(slot, opening, tracker)
            if value is not None:
                return {slot: value}
        return {}

    def prefill(self, slot: Text, opening: Text, tracker: Tracker) -> Any:
        """A value for ``slot`` read in the message that opened the form (None: ask for it)."""
        return None

    def answer_text(self, tracker: Tracker, slot: Text) -> Optional[Text]:
        """The resident's answer to ``slot`` when it is the question being asked, else None."""
        if tracker.get_slot("requested_slot") != slot or tracker.active_loop_name is None:
            return None
        message = tracker.latest_message or {}
        intent = (message.get("intent") or {}).get("name")
        text = (message.get("text") or "").strip()
        return text if is_answer(text, intent, bool(text) and self.plain_answer(slot, text)) else None

    def plain_answer(self, slot: Text, text: Text) -> bool:
        """True when ``text`` is clearly an answer to ``slot`` though NLU read it as "a person" or "restart"."""
        return is_plain_digits(text)

    # --- validation ------------------------------------------------------------------------
    def decide(self, slot: Text, decision: Callable[[], Decision], dispatcher: CollectingDispatcher,
               tracker: Tracker) -> Dict[Text, Any]:
        """"retour" / "annuler" first; else the plain function's decision, applied."""
        control = self.control(tracker, slot, dispatcher)
        if control is not None:
            return control
        return self.apply(slot, decision(), dispatcher, tracker)

    def apply(self, slot: Text, decision: Decision, dispatcher: CollectingDispatcher,
              tracker: Tracker) -> Dict[Text, Any]:
        """Turn a decision into what was said and the slot updates rasa-sdk returns."""
        if isinstance(decision, Accept):
            utter(dispatcher, decision.messages)
            return {**self.succeed(slot, decision.value, tracker), **decision.also}
        if isinstance(decision, Reject):
            return self.fail(slot, decision.response, dispatcher, tracker, **decision.variables)
        utter(dispatcher, decision.messages)
        return dict(decision.updates)

    def control(self, tracker: Tracker, slot: Text, dispatcher: CollectingDispatcher) -> Optional[Dict[Text, Any]]:
        """Slot updates for "retour" / "annuler" typed at step ``slot``, else None."""
        word = control_word(tracker.latest_message.get("text") or "")
        if word == CANCEL:
            updates: Dict[Text, Any] = {slot: None, self.aborted_slot: True}
        elif word == BACK:
            updates, first = step_back(slot, self.form_slots)
            if first:
                dispatcher.utter_message(response="utter_form_first_step")
        else:
            return None
        for emptied in [name for name, value in updates.items() if value is None]:
            updates.update({name: None for name in self.cleared_with.get(emptied, [])})
        return updates

    def fail(self, slot: Text, response: Text, dispatcher: CollectingDispatcher, tracker: Tracker,
             **variables: Any) -> Dict[Text, Any]:
        """Record a failed answer: re-ask kindly, and offer a person from the second failure on."""
        counts, offer_person = count_failure(tracker.get_slot(self.failures_slot), slot)
        messages = [say(response, **variables)] + ([say(self.human_response)] if offer_person else [])
        utter(dispatcher, messages)
        return {slot: None, self.failures_slot: counts}

    def succeed(self, slot: Text, value: Any, tracker: Tracker) -> Dict[Text, Any]:
        """Keep ``value`` and forget the question's failures."""
        return {slot: value, self.failures_slot: clear_failures(tracker.get_slot(self.failures_slot), slot)}

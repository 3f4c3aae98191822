"""Rasa actions of the booking, cancel and move forms: read the tracker, call one engine function.

booking_form: motif → place (or "peu importe") → 3 offers (+ "un autre jour", free-text
dates) → first name → mobile phone → recap → confirmation. booking_cancel_form: reference or
phone → confirm → cancel. booking_move_form: reference or phone → the same offers → recap →
move. What each answer means is decided in ``questions.py``, what the ask and submit actions
say in ``replies.py`` (both plain, tested without Rasa); these classes only move data between
Rasa and them. Any failure answers kindly with a person to talk to (``utter_booking_error``).
"""
from __future__ import annotations

from typing import Any, Callable, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.booking import conversation as talk
from actions.booking import questions, replies
from actions.booking.questions import CANCEL_SLOTS, FORM_SLOTS, MOVE_CONTEXT_SLOTS, MOVE_SLOTS
from actions.booking.service import app_service
from actions.common.dispatch import answer, apologise
from actions.common.form_answers import Decision
from actions.common.form_validation import KindFormValidation
from actions.common.reply import Reply

APOLOGY = "utter_booking_error"
ABORTED = Reply(slots={"booking_aborted": True})


def _channel(tracker: Tracker) -> str:
    return tracker.get_latest_input_channel() or "rest"


class _BookingValidation(KindFormValidation):
    """What the three booking forms share: their helper slots, the offers and the look-up."""

    failures_slot = "booking_failures"
    aborted_slot = "booking_aborted"
    human_response = "utter_booking_offer_human"

    def guarded(self, slot: Text, decision: Callable[[], Decision], dispatcher: CollectingDispatcher,
                tracker: Tracker) -> Dict[Text, Any]:
        """:meth:`decide`, and on a technical problem the apology and an end of the form."""
        try:
            return self.decide(slot, decision, dispatcher, tracker)
        except Exception as exc:  # noqa: BLE001 - told to the resident, who is offered a person
            apologise(dispatcher, exc, APOLOGY, "booking")
            return {slot: None, "booking_aborted": True}

    def plain_answer(self, slot: Text, text: Text) -> bool:
        if slot == "booking_lookup" and questions.is_lookup_answer(text):
            return True
        return super().plain_answer(slot, text)

    def prefill(self, slot: Text, opening: Text, tracker: Tracker) -> Any:
        if slot == "booking_lookup":
            return questions.prefill_lookup(opening, tracker.get_latest_input_channel(), tracker.sender_id)
        return None

    def validate_booking_slot(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                              domain: DomainDict) -> Dict[Text, Any]:
        offers = list(tracker.get_slot("booking_offers") or [])
        return self.decide("booking_slot", lambda: questions.slot_answer(
            str(value), offers, talk.paris_today(), self.instead_of_an_offer), dispatcher, tracker)

    def instead_of_an_offer(self, text: Text) -> Decision | None:
        """An answer to the offers that asks for another form instead (none by default)."""
        return None


class ValidateBookingForm(_BookingValidation):
    form_slots = FORM_SLOTS

    def name(self) -> Text:
        return "validate_booking_form"

    def plain_answer(self, slot: Text, text: Text) -> bool:
        if slot == "booking_first_name" and questions.is_first_name(text):
            return True
        return super().plain_answer(slot, text)

    def prefill(self, slot: Text, opening: Text, tracker: Tracker) -> Any:
        return questions.prefill_motif(app_service, opening) if slot == "booking_motif" else None

    def validate_booking_motif(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                               domain: DomainDict) -> Dict[Text, Any]:
        return self.decide("booking_motif", lambda: questions.motif_answer(app_service(), str(value)),
                           dispatcher, tracker)

    def validate_booking_place(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                               domain: DomainDict) -> Dict[Text, Any]:
        return self.decide("booking_place", lambda: questions.place_answer(app_service(), str(value)),
                           dispatcher, tracker)

    def validate_booking_first_name(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> Dict[Text, Any]:
        return self.decide("booking_first_name", lambda: questions.first_name_answer(str(value)), dispatcher, tracker)

    def validate_booking_phone(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                               domain: DomainDict) -> Dict[Text, Any]:
        return self.decide("booking_phone", lambda: questions.phone_answer(str(value)), dispatcher, tracker)

    def validate_booking_confirm(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                 domain: DomainDict) -> Dict[Text, Any]:
        return self.decide("booking_confirm", lambda: questions.booking_confirm_answer(value, str(value)),
                           dispatcher, tracker)


class ValidateBookingCancelForm(_BookingValidation):
    form_slots = CANCEL_SLOTS

    def name(self) -> Text:
        return "validate_booking_cancel_form"

    def validate_booking_lookup(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                domain: DomainDict) -> Dict[Text, Any]:
        return self.guarded("booking_lookup", lambda: questions.lookup_answer(app_service(), str(value)),
                            dispatcher, tracker)

    def validate_booking_cancel_confirm(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                        domain: DomainDict) -> Dict[Text, Any]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        return self.decide("booking_cancel_confirm", lambda: questions.cancel_confirm_answer(str(value), intent),
                           dispatcher, tracker)


class ValidateBookingMoveForm(_BookingValidation):
    form_slots = MOVE_SLOTS
    cleared_with = {"booking_lookup": MOVE_CONTEXT_SLOTS}  # "retour" to the first question

    def name(self) -> Text:
        return "validate_booking_move_form"

    def validate_booking_lookup(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                domain: DomainDict) -> Dict[Text, Any]:
        motif, place = tracker.get_slot("booking_motif"), tracker.get_slot("booking_place")
        return self.guarded("booking_lookup", lambda: questions.move_lookup(app_service(), str(value), motif, place),
                            dispatcher, tracker)

    def instead_of_an_offer(self, text: Text) -> Decision | None:
        return questions.cancel_instead(text)

    def validate_booking_move_confirm(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                      domain: DomainDict) -> Dict[Text, Any]:
        chosen = tracker.get_slot("booking_slot")
        return self.decide("booking_move_confirm", lambda: questions.move_confirm_answer(
            value, str(value), chosen, talk.paris_today()), dispatcher, tracker)


class ActionAskBookingSlot(Action):
    """Propose 3 free times (numbered) plus "un autre jour"."""

    def name(self) -> Text:
        return "action_ask_booking_slot"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        return answer(dispatcher, lambda: replies.offers(
            app_service(), tracker.get_slot("booking_motif"), tracker.get_slot("booking_place"),
            tracker.get_slot("booking_date_pref")), apology=APOLOGY, where="booking offers", on_failure=ABORTED)


class ActionAskBookingConfirm(Action):
    """The recap before booking."""

    def name(self) -> Text:
        return "action_ask_booking_confirm"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        return answer(dispatcher, lambda: replies.booking_recap(
            app_service(), tracker.get_slot("booking_slot"), tracker.get_slot("booking_motif"),
            tracker.get_slot("booking_first_name"), tracker.get_slot("booking_phone")),
            apology=APOLOGY, where="booking recap", on_failure=ABORTED)


class ActionBookingSubmit(Action):
    """Book the chosen time; if someone was faster, propose the next times again."""

    def name(self) -> Text:
        return "action_booking_submit"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        return answer(dispatcher, lambda: replies.book(
            app_service(), aborted=bool(tracker.get_slot("booking_aborted")),
            confirmed=bool(tracker.get_slot("booking_confirm")), motif=tracker.get_slot("booking_motif"),
            token=tracker.get_slot("booking_slot"), first_name=tracker.get_slot("booking_first_name") or "",
            phone=tracker.get_slot("booking_phone"), channel=_channel(tracker), sender_id=tracker.sender_id),
            apology=APOLOGY, where="booking", on_failure=Reply(slots=dict.fromkeys(replies.BOOKING_FINISHED)))


class ActionAskBookingCancelConfirm(Action):
    def name(self) -> Text:
        return "action_ask_booking_cancel_confirm"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        return answer(dispatcher, lambda: replies.cancel_recap(app_service(), tracker.get_slot("booking_lookup")),
                      apology=APOLOGY, where="cancel recap", on_failure=ABORTED)


class ActionBookingCancelSubmit(Action):
    """Cancel (until 4 hours before), keep the appointment, or go on to move it instead."""

    def name(self) -> Text:
        return "action_booking_cancel_submit"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        return answer(dispatcher, lambda: replies.finish_cancel(
            app_service(), reference=tracker.get_slot("booking_lookup"),
            confirmed=tracker.get_slot("booking_cancel_confirm"), aborted=tracker.get_slot("booking_aborted")),
            apology=APOLOGY, where="cancelling", on_failure=Reply(slots=dict.fromkeys(replies.CANCEL_FINISHED)))


class ActionAskBookingMoveConfirm(Action):
    """The recap before moving: the old time, the new one, the place, the same reference."""

    def name(self) -> Text:
        return "action_ask_booking_move_confirm"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        return answer(dispatcher, lambda: replies.move_recap(
            app_service(), tracker.get_slot("booking_lookup"), tracker.get_slot("booking_slot")),
            apology=APOLOGY, where="move recap", on_failure=ABORTED)


class ActionBookingMoveSubmit(Action):
    """Move the appointment; if someone took the time meanwhile, propose the next times again."""

    def name(self) -> Text:
        return "action_booking_move_submit"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        return answer(dispatcher, lambda: replies.move(
            app_service(), reference=tracker.get_slot("booking_lookup"), aborted=tracker.get_slot("booking_aborted"),
            confirmed=bool(tracker.get_slot("booking_move_confirm")), token=tracker.get_slot("booking_slot"),
            channel=_channel(tracker)),
            apology=APOLOGY, where="moving", on_failure=Reply(slots=dict.fromkeys(replies.MOVE_FINISHED)))

"""Rasa actions to cancel an appointment: find it by reference or phone, confirm, cancel.

Cancelling is possible until 4 hours before; after that the resident is told to call
the place (or given the human contacts when the place's phone is not known). A resident
who answers "plutôt changer de jour" at the confirmation goes on to the move form.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.booking import conversation as talk
from actions.booking.rasa_support import CANCEL_SLOTS, HELPER_SLOTS, _reset, _service, _sorry
from actions.booking.form_steps import LookupStep
from actions.booking.validation import KindFormValidation

MOVE_INSTEAD = "move"  # booking_cancel_confirm when the resident would rather move the appointment


class ValidateBookingCancelForm(LookupStep, KindFormValidation):
    form_slots = CANCEL_SLOTS
    failures_slot = "booking_failures"
    aborted_slot = "booking_aborted"
    human_response = "utter_booking_offer_human"

    def name(self) -> Text:
        return "validate_booking_cancel_form"

    async def extract_booking_cancel_confirm(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                             domain: DomainDict) -> Dict[Text, Any]:
        text = self.answer_text(tracker, "booking_cancel_confirm")
        return {} if text is None else {"booking_cancel_confirm": text}

    def validate_booking_cancel_confirm(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                        domain: DomainDict) -> Dict[Text, Any]:
        control = self.control(tracker, "booking_cancel_confirm", dispatcher)
        if control is not None:
            return control
        text = str(value)
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if talk.is_yes(text):
            return self.succeed("booking_cancel_confirm", True, tracker)
        if talk.wants_move(text) or talk.choice_number(text, 3) == 3:  # "changer de jour": move it instead
            return self.succeed("booking_cancel_confirm", MOVE_INSTEAD, tracker)
        if talk.is_no(text):
            return self.succeed("booking_cancel_confirm", False, tracker)
        if intent == "move_appointment":
            return self.succeed("booking_cancel_confirm", MOVE_INSTEAD, tracker)
        return self.fail("booking_cancel_confirm", "utter_booking_confirm_not_understood", dispatcher, tracker)


class ActionAskBookingCancelConfirm(Action):
    def name(self) -> Text:
        return "action_ask_booking_cancel_confirm"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        try:
            appt = _service().get(tracker.get_slot("booking_lookup"))
            dispatcher.utter_message(response="utter_ask_booking_cancel_confirm",
                                     when=talk.offer_label(appt.starts_at, ""), place=appt.place_name)
        except Exception as exc:
            _sorry(dispatcher, exc)
            return [SlotSet("booking_aborted", True)]
        return []


class ActionBookingCancelSubmit(Action):
    def name(self) -> Text:
        return "action_booking_cancel_submit"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        from actions.booking.service import AppointmentNotFound, TooLateToChange

        reset = _reset(CANCEL_SLOTS + HELPER_SLOTS)
        if tracker.get_slot("booking_cancel_confirm") == MOVE_INSTEAD and not tracker.get_slot("booking_aborted"):
            from actions.booking.move_actions import switch_to_move

            return switch_to_move(tracker.get_slot("booking_lookup"), dispatcher, CANCEL_SLOTS + HELPER_SLOTS)
        if tracker.get_slot("booking_aborted") or not tracker.get_slot("booking_cancel_confirm"):
            dispatcher.utter_message(response="utter_booking_cancel_kept")
            return reset
        try:
            appt = _service().cancel(tracker.get_slot("booking_lookup"))
        except TooLateToChange as late:
            if late.place_phone:
                dispatcher.utter_message(response="utter_booking_too_late", place=late.place_name,
                                         phone=late.place_phone)
            else:
                dispatcher.utter_message(response="utter_booking_too_late_no_phone", place=late.place_name)
                return reset + [FollowupAction("action_human_contact")]
            return reset
        except AppointmentNotFound:
            dispatcher.utter_message(response="utter_booking_lookup_not_found")
            return reset
        except Exception as exc:
            _sorry(dispatcher, exc)
            return reset
        dispatcher.utter_message(response="utter_booking_cancelled", when=talk.offer_label(appt.starts_at, ""),
                                 reference=appt.reference)
        return reset

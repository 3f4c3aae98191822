"""Rasa actions to move an appointment: find it, choose a new time, check the recap, move.

booking_move_form: reference or mobile number (as for cancelling) → the same offers as
booking (3 numbered times, "un autre jour", a day in French) → recap → move. The service
moves in one transaction and keeps the reference; messages are queued for the new time.
Less than 4 hours before, the resident is told at once to call the place (or given the
human contacts). "annuler" stops and keeps the appointment; "je veux l'annuler" goes to
the cancel form. The logic lives in ``actions.booking.moving``; these classes only talk.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.booking import conversation as talk
from actions.booking.form_steps import LookupStep, SlotStep, pref_dict
from actions.booking.messages import address_or_contact
from actions.booking.rasa_support import CANCEL_SLOTS, HELPER_SLOTS, _reset, _service, _sorry
from actions.booking.validation import KindFormValidation

MOVE_SLOTS = ["booking_lookup", "booking_slot", "booking_move_confirm"]
# Filled from the appointment found, so action_ask_booking_slot proposes times for its motif and place.
MOVE_CONTEXT_SLOTS = ["booking_motif", "booking_place"]
# booking_aborted values besides True ("annuler", or a technical problem already told).
TOO_LATE = "too_late"
CANCEL_INSTEAD = "cancel"


def _when(start: Any) -> str:
    return talk.offer_label(start, "")


def tell_too_late(dispatcher: CollectingDispatcher, place_name: str, phone: str) -> List[EventType]:
    """Less than 4 hours before: call the place; without its phone, the human contacts follow."""
    if phone:
        dispatcher.utter_message(response="utter_booking_move_too_late", place=place_name, phone=phone)
        return []
    dispatcher.utter_message(response="utter_booking_move_too_late_no_phone", place=place_name)
    return [FollowupAction("action_human_contact")]


def switch_to_move(reference: Optional[Text], dispatcher: CollectingDispatcher,
                   finished: List[Text]) -> List[EventType]:
    """From the cancel form: keep the appointment found and move it instead."""
    from actions.booking import moving

    reset = [e for e in _reset(finished) if e["name"] != "booking_lookup"]
    try:
        found = moving.target(_service(), reference or "")
    except Exception as exc:
        _sorry(dispatcher, exc)
        return _reset(finished)
    if found.too_late:
        return _reset(finished) + tell_too_late(dispatcher, found.place_name, found.place_phone)
    dispatcher.utter_message(response="utter_booking_move_instead")
    return reset + [SlotSet("booking_motif", found.motif_slug), SlotSet("booking_place", found.place_slug),
                    FollowupAction("booking_move_form")]


def switch_to_cancel(reference: Text, finished: List[Text]) -> List[EventType]:
    """From the move form: the resident wants to cancel; the cancel form asks to confirm."""
    return [e for e in _reset(finished) if e["name"] != "booking_lookup"] + [FollowupAction("booking_cancel_form")]


class ValidateBookingMoveForm(LookupStep, SlotStep, KindFormValidation):
    form_slots = MOVE_SLOTS
    failures_slot = "booking_failures"
    aborted_slot = "booking_aborted"
    human_response = "utter_booking_offer_human"

    def name(self) -> Text:
        return "validate_booking_move_form"

    def on_found(self, found: List[Any], dispatcher: CollectingDispatcher, tracker: Tracker) -> Dict[Text, Any]:
        from actions.booking import moving

        try:
            target = moving.target(_service(), found[0].reference)
        except Exception as exc:
            _sorry(dispatcher, exc)
            return {"booking_lookup": None, "booking_aborted": True}
        if target.too_late:  # said by the submit action, which can hand over to a person
            return {"booking_lookup": target.reference, "booking_aborted": TOO_LATE}
        # Said once: not again when the form comes back (someone took the time, or from the cancel form).
        again = tracker.get_slot("booking_motif") == target.motif_slug and bool(tracker.get_slot("booking_place"))
        if not again:
            dispatcher.utter_message(response="utter_booking_move_found", when=_when(target.starts_at),
                                     place=target.place_name)
        if len(found) > 1 and not again:
            dispatcher.utter_message(response="utter_booking_move_several", count=len(found))
        return {**self.succeed("booking_lookup", target.reference, tracker),
                "booking_motif": target.motif_slug, "booking_place": target.place_slug}

    def control(self, tracker: Tracker, slot: Text, dispatcher: CollectingDispatcher) -> Optional[Dict[Text, Any]]:
        updates = super().control(tracker, slot, dispatcher)
        if updates is not None and "booking_lookup" in updates and updates["booking_lookup"] is None:
            updates.update({name: None for name in MOVE_CONTEXT_SLOTS})  # "retour" to the first question
        return updates

    def switch_request(self, text: Text, tracker: Tracker) -> Optional[Dict[Text, Any]]:
        if talk.wants_cancel_appointment(text):  # "non, je veux l'annuler"
            return {"booking_slot": None, "booking_aborted": CANCEL_INSTEAD}
        return None

    async def extract_booking_move_confirm(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                           domain: DomainDict) -> Dict[Text, Any]:
        text = self.answer_text(tracker, "booking_move_confirm")
        return {} if text is None else {"booking_move_confirm": text}

    def validate_booking_move_confirm(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                      domain: DomainDict) -> Dict[Text, Any]:
        from actions.booking.search import Offer

        control = self.control(tracker, "booking_move_confirm", dispatcher)
        if control is not None:
            return control
        text = str(value)
        number = talk.choice_number(text, 3)  # typed instead of pressing a button: 1 yes, 2 another time, 3 keep
        if value is True or number == 1 or (number is None and talk.is_yes(text)):
            return self.succeed("booking_move_confirm", True, tracker)
        if number == 3:
            return self.succeed("booking_move_confirm", False, tracker)
        if number == 2:
            text = "changer le créneau"
        if talk.wants_cancel_appointment(text):
            return {"booking_move_confirm": None, "booking_aborted": CANCEL_INSTEAD}
        if talk.wants_other_day(text) and tracker.get_slot("booking_slot"):
            chosen = Offer.parse_token(tracker.get_slot("booking_slot"))[0]
            pref = talk.next_day_preference(chosen, talk.paris_today())
            return {"booking_move_confirm": None, "booking_slot": None, "booking_offers": None,
                    "booking_date_pref": pref_dict(pref)}
        if talk.wants_slot_change(text) or talk.wants_move(text):
            return {"booking_move_confirm": None, "booking_slot": None, "booking_offers": None,
                    "booking_date_pref": None}
        if talk.is_no(text):
            return self.succeed("booking_move_confirm", False, tracker)
        return self.fail("booking_move_confirm", "utter_booking_move_confirm_not_understood", dispatcher, tracker)


def _offer_notice(token: Optional[Text]) -> str:
    """The demonstration notice for the offer chosen (a ``booking_slot`` token); "" when real or unknown."""
    from actions.booking.demo import offer_notice
    from actions.booking.search import Offer
    from actions.common.db import session_scope

    if not token:
        return ""
    _start, place_id, conseiller_id = Offer.parse_token(token)
    with session_scope(_service().engine) as session:
        return offer_notice(session, place_id, conseiller_id)


class ActionAskBookingMoveConfirm(Action):
    """The recap before moving: the old time, the new one, the place, the same reference."""

    def name(self) -> Text:
        return "action_ask_booking_move_confirm"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        from actions.booking import moving

        try:
            seen = moving.recap(_service(), tracker.get_slot("booking_lookup"), tracker.get_slot("booking_slot"))
            notice = _offer_notice(tracker.get_slot("booking_slot"))
        except Exception as exc:
            _sorry(dispatcher, exc)
            return [SlotSet("booking_aborted", True)]
        if notice:  # the new time is on demonstration data: said before the question and its buttons
            dispatcher.utter_message(text=notice)
        dispatcher.utter_message(response="utter_ask_booking_move_confirm", old=_when(seen.old_start),
                                 when=_when(seen.new_start), place=seen.place_name, reference=seen.reference)
        return []


class ActionBookingMoveSubmit(Action):
    """Move the appointment; if someone took the time meanwhile, propose the next times again."""

    def name(self) -> Text:
        return "action_booking_move_submit"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        from actions.booking import moving

        finished = MOVE_SLOTS + MOVE_CONTEXT_SLOTS + HELPER_SLOTS
        reset = _reset(finished)
        reference = tracker.get_slot("booking_lookup")
        aborted = tracker.get_slot("booking_aborted")
        try:
            if aborted == CANCEL_INSTEAD and reference:
                return switch_to_cancel(reference, finished + CANCEL_SLOTS)
            if aborted == TOO_LATE and reference:
                found = moving.target(_service(), reference)
                return reset + tell_too_late(dispatcher, found.place_name, found.place_phone)
            if aborted or not tracker.get_slot("booking_move_confirm"):
                self.kept(dispatcher, reference)
                return reset
            outcome = moving.move(_service(), reference, tracker.get_slot("booking_slot"))
        except Exception as exc:
            _sorry(dispatcher, exc)
            return reset
        if outcome.status == moving.TAKEN:
            dispatcher.utter_message(response="utter_booking_slot_taken")
            pref = {"not_before_day": outcome.look_from.isoformat() if outcome.look_from else None}
            return [SlotSet("booking_slot", None), SlotSet("booking_move_confirm", None),
                    SlotSet("booking_offers", None), SlotSet("booking_date_pref", pref),
                    FollowupAction("booking_move_form")]
        if outcome.status == moving.TOO_LATE:
            return reset + tell_too_late(dispatcher, outcome.place_name, outcome.place_phone)
        if outcome.status != moving.MOVED or outcome.appointment is None:
            dispatcher.utter_message(response="utter_booking_lookup_not_found")
            return reset
        moved = outcome.appointment
        dispatcher.utter_message(
            response="utter_booking_moved", when=_when(moved.starts_at), place=moved.place_name,
            address=address_or_contact(moved.place_name, moved.place_address),  # never a bare "unknown"
            reference=moved.reference,
        )
        if moved.demo:
            from actions.booking.demo import demo_notice

            dispatcher.utter_message(text=demo_notice(moved.structure_id))
        if (tracker.get_latest_input_channel() or "rest") in ("socketio", "rest", "web"):
            from actions.booking.ics import ics_link

            dispatcher.utter_message(response="utter_booking_ics", link=ics_link(moved.reference))
        return reset + [SlotSet("booking_reference", moved.reference)]

    @staticmethod
    def kept(dispatcher: CollectingDispatcher, reference: Optional[Text]) -> None:
        """Nothing moved: say the appointment stays as it was (when it is known)."""
        try:
            current = _service().get(reference) if reference else None
        except Exception:  # not found any more: the plain sentence is enough
            current = None
        if current is None or current.status != "booked":
            dispatcher.utter_message(response="utter_booking_cancel_kept")
            return
        dispatcher.utter_message(response="utter_booking_move_kept", when=_when(current.starts_at),
                                 place=current.place_name)

"""Rasa actions of the booking conversation: thin wrappers over the booking service.

booking_form: motif → place (or "peu importe") → 3 offers (+ "un autre jour", free-text
dates) → first name → mobile phone → recap → confirmation. booking_cancel_form
(cancel_actions.py): reference or phone → confirm → cancel. booking_move_form
(move_actions.py): reference or phone → the same offers → recap → move. Any failure
answers kindly with a human contact.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.booking import conversation as talk
from actions.booking.demo import demo_notice, offer_notice
from actions.booking.rasa_support import FORM_SLOTS, HELPER_SLOTS, _reset, _service, _sorry
from actions.booking.form_steps import SlotStep, preference_of
from actions.booking.messages import address_or_contact
from actions.booking.validation import KindFormValidation

log = logging.getLogger(__name__)


class ValidateBookingForm(SlotStep, KindFormValidation):
    form_slots = FORM_SLOTS
    failures_slot = "booking_failures"
    aborted_slot = "booking_aborted"
    human_response = "utter_booking_offer_human"

    def name(self) -> Text:
        return "validate_booking_form"

    def plain_answer(self, slot: Text, text: Text) -> bool:
        # "je m'appelle Nadia" is read as ask_human by the NLU model: at the name question it is a name.
        if slot == "booking_first_name" and talk.parse_first_name(text) is not None:
            return True
        return super().plain_answer(slot, text)

    # --- extraction: the answer to the question being asked, nothing else ---------------------
    async def extract_booking_motif(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> Dict[Text, Any]:
        text = self.answer_text(tracker, "booking_motif")
        if text is not None:
            return {"booking_motif": text}
        message = tracker.latest_message or {}
        opening = (message.get("text") or "").strip()
        if tracker.get_slot("requested_slot") is None and opening and not opening.startswith("/") \
                and not tracker.get_slot("booking_motif"):
            try:
                from actions.booking.queries import match_motif
                from actions.common.db import session_scope

                with session_scope(_service().engine) as session:
                    motif = match_motif(session, opening)
                    if motif is not None:
                        return {"booking_motif": motif.slug}
            except Exception as exc:  # prefill is a convenience only
                log.warning("motif prefill skipped: %s", type(exc).__name__)
        return {}

    async def extract_booking_place(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> Dict[Text, Any]:
        text = self.answer_text(tracker, "booking_place")
        return {} if text is None else {"booking_place": text}

    async def extract_booking_first_name(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                         domain: DomainDict) -> Dict[Text, Any]:
        text = self.answer_text(tracker, "booking_first_name")
        return {} if text is None else {"booking_first_name": text}

    async def extract_booking_phone(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> Dict[Text, Any]:
        text = self.answer_text(tracker, "booking_phone")
        return {} if text is None else {"booking_phone": text}

    async def extract_booking_confirm(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                      domain: DomainDict) -> Dict[Text, Any]:
        text = self.answer_text(tracker, "booking_confirm")
        return {} if text is None else {"booking_confirm": text}

    # --- validation -----------------------------------------------------------------------------
    def validate_booking_motif(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                               domain: DomainDict) -> Dict[Text, Any]:
        from actions.booking.queries import match_motif
        from actions.booking.models import Motif
        from actions.common.db import session_scope
        from sqlalchemy import select

        control = self.control(tracker, "booking_motif", dispatcher)
        if control is not None:
            return control
        with session_scope(_service().engine) as session:
            exact = session.scalars(select(Motif).where(Motif.slug == str(value))).first()
            motif = exact or match_motif(session, str(value))
            slug = motif.slug if motif else None
        if slug is None:
            return self.fail("booking_motif", "utter_booking_motif_not_understood", dispatcher, tracker)
        return self.succeed("booking_motif", slug, tracker)

    def validate_booking_place(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                               domain: DomainDict) -> Dict[Text, Any]:
        from actions.booking.queries import match_place
        from actions.booking.models import Place
        from actions.common.db import session_scope
        from sqlalchemy import select

        control = self.control(tracker, "booking_place", dispatcher)
        if control is not None:
            return control
        text = str(value)
        if text == talk.ANY_PLACE or talk.wants_any_place(text):
            return self.succeed("booking_place", talk.ANY_PLACE, tracker)
        with session_scope(_service().engine) as session:
            places = list(session.scalars(select(Place).order_by(Place.id)))
            number = talk.choice_number(text, len(places) + 1)
            if number == len(places) + 1:
                return self.succeed("booking_place", talk.ANY_PLACE, tracker)
            place = places[number - 1] if number else (
                next((p for p in places if p.slug == text), None) or match_place(session, text, places))
            slug = place.slug if place else None
        if slug is None:
            return self.fail("booking_place", "utter_booking_place_not_understood", dispatcher, tracker)
        return self.succeed("booking_place", slug, tracker)

    def validate_booking_first_name(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> Dict[Text, Any]:
        control = self.control(tracker, "booking_first_name", dispatcher)
        if control is not None:
            return control
        name = talk.parse_first_name(str(value))
        if name is None:
            return self.fail("booking_first_name", "utter_booking_first_name_not_understood", dispatcher, tracker)
        return self.succeed("booking_first_name", name, tracker)

    def validate_booking_phone(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                               domain: DomainDict) -> Dict[Text, Any]:
        from actions.booking.phone import InvalidPhoneNumber, find_phone, normalise_phone

        control = self.control(tracker, "booking_phone", dispatcher)
        if control is not None:
            return control
        text = str(value)
        phone: str | None
        try:
            phone = normalise_phone(text)
        except InvalidPhoneNumber:
            phone = find_phone(text)
        if phone is None:
            return self.fail("booking_phone", "utter_booking_phone_invalid", dispatcher, tracker)
        return self.succeed("booking_phone", phone, tracker)

    def validate_booking_confirm(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                 domain: DomainDict) -> Dict[Text, Any]:
        control = self.control(tracker, "booking_confirm", dispatcher)
        if control is not None:
            return control
        text = str(value)
        if value is True or talk.is_yes(text):
            return self.succeed("booking_confirm", True, tracker)
        if talk.wants_slot_change(text):
            return {"booking_confirm": None, "booking_slot": None, "booking_offers": None, "booking_date_pref": None}
        if "numero" in text.lower() or "téléphone" in text.lower() or "telephone" in text.lower():
            return {"booking_confirm": None, "booking_phone": None}
        if talk.is_no(text):
            dispatcher.utter_message(response="utter_booking_what_to_change")
            return {"booking_confirm": None}
        return self.fail("booking_confirm", "utter_booking_confirm_not_understood", dispatcher, tracker)


class ActionAskBookingSlot(Action):
    """Propose 3 free times (numbered) plus "un autre jour"."""

    def name(self) -> Text:
        return "action_ask_booking_slot"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        from actions.booking.slots import Preference

        try:
            service = _service()
            motif = tracker.get_slot("booking_motif")
            place = tracker.get_slot("booking_place")
            place = None if place in (None, talk.ANY_PLACE) else place
            pref = preference_of(tracker.get_slot("booking_date_pref"))
            offers = service.search(motif, place, pref)
            if not offers and pref is not None:
                dispatcher.utter_message(response="utter_booking_no_slot_then")
                after = pref.day or pref.not_before_day
                offers = service.search(motif, place, Preference(not_before_day=after) if after else None)
            if not offers and place is not None:
                dispatcher.utter_message(response="utter_booking_no_slot_at_place")
                offers = service.search(motif, None, None)
            if not offers:
                dispatcher.utter_message(response="utter_booking_no_slot_at_all")
                return [SlotSet("booking_offers", [])]
            buttons = [{"title": talk.offer_label(o.start, o.place_name), "payload": str(i)}
                       for i, o in enumerate(offers, start=1)]
            buttons.append({"title": "Un autre jour", "payload": "un autre jour"})
            dispatcher.utter_message(response="utter_ask_booking_slot", buttons=buttons)
            return [SlotSet("booking_offers", [o.token for o in offers])]
        except Exception as exc:
            _sorry(dispatcher, exc)
            return [SlotSet("booking_aborted", True)]


class ActionAskBookingConfirm(Action):
    """The recap before booking."""

    def name(self) -> Text:
        return "action_ask_booking_confirm"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        from actions.booking.phone import display_phone
        from actions.booking.queries import motif_by_slug
        from actions.booking.models import Place
        from actions.booking.service import Offer
        from actions.common.db import session_scope

        try:
            start, place_id, conseiller_id = Offer.parse_token(tracker.get_slot("booking_slot"))
            with session_scope(_service().engine) as session:
                motif = motif_by_slug(session, tracker.get_slot("booking_motif")).name
                place = session.get(Place, place_id)
                place_name = place.name if place else ""
                notice = offer_notice(session, place_id, conseiller_id)
            if notice:  # said before the question, so that the buttons stay last
                dispatcher.utter_message(text=notice)
            dispatcher.utter_message(
                response="utter_ask_booking_confirm", motif=motif, when=talk.offer_label(start, ""),
                place=place_name, first_name=tracker.get_slot("booking_first_name"),
                phone=display_phone(tracker.get_slot("booking_phone")),
            )
        except Exception as exc:
            _sorry(dispatcher, exc)
            return [SlotSet("booking_aborted", True)]
        return []


class ActionBookingSubmit(Action):
    """Book the chosen time; if someone was faster, propose the next times again."""

    def name(self) -> Text:
        return "action_booking_submit"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        from actions.booking.ics import ics_link
        from actions.booking.service import Offer, SlotTaken

        if tracker.get_slot("booking_aborted") or not tracker.get_slot("booking_confirm"):
            dispatcher.utter_message(response="utter_booking_aborted")
            return _reset(FORM_SLOTS + HELPER_SLOTS)
        try:
            start, place_id, conseiller_id = Offer.parse_token(tracker.get_slot("booking_slot"))
            channel = tracker.get_latest_input_channel() or "rest"
            booked = _service().book(
                tracker.get_slot("booking_motif"), start, place_id, conseiller_id,
                first_name=tracker.get_slot("booking_first_name") or "", phone_e164=tracker.get_slot("booking_phone"),
                channel=channel, sender_id=tracker.sender_id,
            )
        except SlotTaken:
            dispatcher.utter_message(response="utter_booking_slot_taken")
            from actions.booking.slots import PARIS

            day = start.astimezone(PARIS).date().isoformat()
            return [SlotSet("booking_slot", None), SlotSet("booking_confirm", None), SlotSet("booking_offers", None),
                    SlotSet("booking_date_pref", {"not_before_day": day}), FollowupAction("booking_form")]
        except Exception as exc:
            _sorry(dispatcher, exc)
            return _reset(FORM_SLOTS + HELPER_SLOTS)
        dispatcher.utter_message(
            response="utter_booking_confirmed", reference=booked.reference, when=talk.offer_label(booked.starts_at, ""),
            place=booked.place_name,
            address=address_or_contact(booked.place_name, booked.place_address),  # never a bare "unknown"
            bring=booked.what_to_bring or "rien de spécial",
        )
        if booked.demo:  # invented agenda: "C'est réservé !" must not be taken for a real appointment
            dispatcher.utter_message(text=demo_notice(booked.structure_id))
        if channel in ("socketio", "rest", "web"):
            dispatcher.utter_message(response="utter_booking_ics", link=ics_link(booked.reference))
        return _reset(FORM_SLOTS + HELPER_SLOTS) + [SlotSet("booking_reference", booked.reference)]


# The cancel and move forms' actions live in their own modules; importing them registers them.
from actions.booking import cancel_actions, move_actions  # noqa: E402,F401

"""What the booking forms' ask and submit actions say, as plain functions returning a Reply.

Offers (3 numbered times and "un autre jour"), recaps, booking, cancelling and moving: each
function reads the booking service and returns an :class:`~actions.common.reply.Reply` (the
messages, the slots to set, the form to follow). The Rasa actions only send it, and turn an
exception into the booking's apology. Tested without Rasa in tests/booking/test_replies.py.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from actions.booking import conversation as talk
from actions.booking import moving
from actions.booking.availability import PARIS, Preference
from actions.booking.demo import demo_notice, offer_notice
from actions.booking.ics import ics_link
from actions.booking.messages import address_or_contact
from actions.booking.models import Place
from actions.booking.phone import display_phone
from actions.booking.queries import motif_by_slug
from actions.booking.questions import (
    CANCEL_INSTEAD,
    CANCEL_SLOTS,
    FORM_SLOTS,
    HELPER_SLOTS,
    MOVE_CONTEXT_SLOTS,
    MOVE_INSTEAD,
    MOVE_SLOTS,
    TOO_LATE,
    preference_of,
)
from actions.booking.search import Offer
from actions.booking.service import AppointmentNotFound, BookingService, SlotTaken, TooLateToChange
from actions.common.db import session_scope
from actions.common.reply import Message, Reply, cleared, reply, say

#: Channels that can open a calendar link (SMS and Telegram get the reminder instead).
CALENDAR_CHANNELS = ("socketio", "rest", "web")
BOOKING_FINISHED = FORM_SLOTS + HELPER_SLOTS
CANCEL_FINISHED = CANCEL_SLOTS + HELPER_SLOTS
MOVE_FINISHED = MOVE_SLOTS + MOVE_CONTEXT_SLOTS + HELPER_SLOTS


def _when(start: datetime) -> str:
    return talk.offer_label(start, "")


def _calendar(channel: str, reference: str) -> tuple[Message, ...]:
    return (say("utter_booking_ics", link=ics_link(reference)),) if channel in CALENDAR_CHANNELS else ()


def _demo(demo: bool, structure_id: str) -> tuple[Message, ...]:
    """Invented agenda: "C'est réservé !" must not be taken for a real appointment."""
    return (Message(text=demo_notice(structure_id)),) if demo else ()


# --- booking ---------------------------------------------------------------------------------
def offers(service: BookingService, motif: str, place: Optional[str], date_pref: Optional[dict[str, Any]]) -> Reply:
    """3 free times (numbered) plus "un autre jour"; wider searches, said, when nothing is free."""
    place = None if place in (None, talk.ANY_PLACE) else place
    pref = preference_of(date_pref)
    said: list[Message] = []
    found = service.search(motif, place, pref)
    if not found and pref is not None:
        said.append(say("utter_booking_no_slot_then"))
        after = pref.day or pref.not_before_day
        found = service.search(motif, place, Preference(not_before_day=after) if after else None)
    if not found and place is not None:
        said.append(say("utter_booking_no_slot_at_place"))
        found = service.search(motif, None, None)
    if not found:
        return reply(*said, say("utter_booking_no_slot_at_all"), slots={"booking_offers": []})
    buttons = [{"title": talk.offer_label(o.start, o.place_name), "payload": str(i)}
               for i, o in enumerate(found, start=1)]
    buttons.append({"title": "Un autre jour", "payload": "un autre jour"})
    question = Message(response="utter_ask_booking_slot", buttons=tuple(buttons))
    return reply(*said, question, slots={"booking_offers": [o.token for o in found]})


def booking_recap(service: BookingService, token: str, motif_slug: str, first_name: Optional[str],
                  phone: str) -> Reply:
    """The recap before booking; a demonstration notice first, so that the buttons stay last."""
    start, place_id, conseiller_id = Offer.parse_token(token)
    with session_scope(service.engine) as session:
        motif = motif_by_slug(session, motif_slug).name
        place = session.get(Place, place_id)
        place_name = place.name if place else ""
        notice = offer_notice(session, place_id, conseiller_id)
    notices = (Message(text=notice),) if notice else ()
    return reply(*notices, say("utter_ask_booking_confirm", motif=motif, when=_when(start), place=place_name,
                               first_name=first_name, phone=display_phone(phone)))


def book(service: BookingService, *, aborted: bool, confirmed: bool, motif: str, token: str, first_name: str,
         phone: Optional[str], channel: str, sender_id: str) -> Reply:
    """Book the chosen time; if someone was faster, the form comes back with the next times."""
    finished = cleared(BOOKING_FINISHED)
    if aborted or not confirmed:
        return reply(say("utter_booking_aborted"), slots=finished)
    start, place_id, conseiller_id = Offer.parse_token(token)
    try:
        booked = service.book(motif, start, place_id, conseiller_id, first_name=first_name, phone_e164=phone,
                              channel=channel, sender_id=sender_id, replayed_is_booked=True)
    except SlotTaken:
        day = start.astimezone(PARIS).date().isoformat()
        return reply(say("utter_booking_slot_taken"),
                     slots={"booking_slot": None, "booking_confirm": None, "booking_offers": None,
                            "booking_date_pref": {"not_before_day": day}},
                     followup="booking_form")
    confirmed_message = say(
        "utter_booking_confirmed", reference=booked.reference, when=_when(booked.starts_at),
        place=booked.place_name,
        address=address_or_contact(booked.place_name, booked.place_address),  # never a bare "unknown"
        bring=booked.what_to_bring or "rien de spécial",
    )
    return reply(confirmed_message, *_demo(booked.demo, booked.structure_id), *_calendar(channel, booked.reference),
                 slots={**finished, "booking_reference": booked.reference})


# --- cancelling -------------------------------------------------------------------------------
def cancel_recap(service: BookingService, reference: str) -> Reply:
    appt = service.get(reference)
    return reply(say("utter_ask_booking_cancel_confirm", when=_when(appt.starts_at), place=appt.place_name))


def cancel(service: BookingService, reference: str) -> Reply:
    """Cancel until 4 hours before; after that, call the place (or a person when its phone is unknown)."""
    finished = cleared(CANCEL_FINISHED)
    try:
        appt = service.cancel(reference)
    except TooLateToChange as late:
        if late.place_phone:
            return reply(say("utter_booking_too_late", place=late.place_name, phone=late.place_phone),
                         slots=finished)
        return reply(say("utter_booking_too_late_no_phone", place=late.place_name), slots=finished,
                     followup="action_human_contact")
    except AppointmentNotFound:
        return reply(say("utter_booking_lookup_not_found"), slots=finished)
    return reply(say("utter_booking_cancelled", when=_when(appt.starts_at), reference=appt.reference),
                 slots=finished)


def finish_cancel(service: BookingService, *, reference: Optional[str], confirmed: object, aborted: object) -> Reply:
    """The cancel form is done: cancel, keep the appointment, or go on to move it instead."""
    if confirmed == MOVE_INSTEAD and not aborted:
        return move_instead(service, reference)
    if aborted or not confirmed or not reference:
        return reply(say("utter_booking_cancel_kept"), slots=cleared(CANCEL_FINISHED))
    return cancel(service, reference)


# --- moving -----------------------------------------------------------------------------------
def too_late(place_name: str, phone: str) -> Reply:
    """Less than 4 hours before: call the place; without its phone, the human contacts follow."""
    if phone:
        return reply(say("utter_booking_move_too_late", place=place_name, phone=phone))
    return reply(say("utter_booking_move_too_late_no_phone", place=place_name), followup="action_human_contact")


def move_instead(service: BookingService, reference: Optional[str]) -> Reply:
    """From the cancel form: keep the appointment found and move it instead."""
    finished = cleared(CANCEL_FINISHED)
    found = moving.target(service, reference or "")
    if found.too_late:
        return Reply(slots=finished).then(too_late(found.place_name, found.place_phone))
    kept = {name: value for name, value in finished.items() if name != "booking_lookup"}
    return reply(say("utter_booking_move_instead"),
                 slots={**kept, "booking_motif": found.motif_slug, "booking_place": found.place_slug},
                 followup="booking_move_form")


def move_recap(service: BookingService, reference: str, token: Optional[str]) -> Reply:
    """The recap before moving: the old time, the new one, the place, the same reference."""
    seen = moving.recap(service, reference, token or "")
    notices: tuple[Message, ...] = ()
    if token:  # the new time is on demonstration data: said before the question and its buttons
        _start, place_id, conseiller_id = Offer.parse_token(token)
        with session_scope(service.engine) as session:
            notice = offer_notice(session, place_id, conseiller_id)
        notices = (Message(text=notice),) if notice else ()
    return reply(*notices, say("utter_ask_booking_move_confirm", old=_when(seen.old_start), when=_when(seen.new_start),
                               place=seen.place_name, reference=seen.reference))


def kept_appointment(service: BookingService, reference: Optional[str]) -> Message:
    """Nothing moved: say the appointment stays as it was (when it is known)."""
    try:
        current = service.get(reference) if reference else None
    except Exception:  # not found any more: the plain sentence is enough
        current = None
    if current is None or current.status != "booked":
        return say("utter_booking_cancel_kept")
    return say("utter_booking_move_kept", when=_when(current.starts_at), place=current.place_name)


def move(service: BookingService, *, reference: Optional[str], aborted: object, confirmed: bool,
         token: Optional[str], channel: str) -> Reply:
    """Move the appointment; if someone took the time meanwhile, the form comes back with new offers."""
    finished = cleared(MOVE_FINISHED)
    if aborted == CANCEL_INSTEAD and reference:  # the cancel form asks to confirm
        kept = {n: v for n, v in cleared(MOVE_FINISHED + CANCEL_SLOTS).items() if n != "booking_lookup"}
        return Reply(slots=kept, followup="booking_cancel_form")
    if aborted == TOO_LATE and reference:
        found = moving.target(service, reference)
        return Reply(slots=finished).then(too_late(found.place_name, found.place_phone))
    if aborted or not confirmed:
        return reply(kept_appointment(service, reference), slots=finished)
    outcome = moving.move(service, reference or "", token or "")
    if outcome.status == moving.TAKEN:
        pref = {"not_before_day": outcome.look_from.isoformat() if outcome.look_from else None}
        return reply(say("utter_booking_slot_taken"),
                     slots={"booking_slot": None, "booking_move_confirm": None, "booking_offers": None,
                            "booking_date_pref": pref},
                     followup="booking_move_form")
    if outcome.status == moving.TOO_LATE:
        return Reply(slots=finished).then(too_late(outcome.place_name, outcome.place_phone))
    if outcome.status != moving.MOVED or outcome.appointment is None:
        return reply(say("utter_booking_lookup_not_found"), slots=finished)
    moved = outcome.appointment
    moved_message = say(
        "utter_booking_moved", when=_when(moved.starts_at), place=moved.place_name,
        address=address_or_contact(moved.place_name, moved.place_address),  # never a bare "unknown"
        reference=moved.reference,
    )
    return reply(moved_message, *_demo(moved.demo, moved.structure_id), *_calendar(channel, moved.reference),
                 slots={**finished, "booking_reference": moved.reference})

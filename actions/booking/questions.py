"""Each booking question's answer → a decision, as plain functions (no Rasa, tested directly).

The booking, cancel and move forms ask: motif → place → offer (``booking_slot``) → first name
→ mobile → recap (``booking_confirm``); reference or mobile (``booking_lookup``) → confirm
cancelling (``booking_cancel_confirm``) or → offer → confirm moving (``booking_move_confirm``).
Each function here reads one answer (with the database through the booking service when it
must) and returns an :data:`~actions.common.form_answers.Decision`; the validators in
``actions.py`` only apply it.

The three confirmations are read by one parser, :func:`read_confirmation`; each question then
decides in its own order (a "2" is "non" at the booking recap, "une autre heure" when moving).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from datetime import time as clock
from typing import Any, Callable, Mapping, Optional, Sequence

from sqlalchemy import select

from actions.booking import conversation as talk
from actions.booking import moving
from actions.booking.availability import Preference
from actions.booking.dates import parse_when
from actions.booking.models import Motif, Place
from actions.booking.phone import find_phone, normalise_phone
from actions.booking.queries import match_motif, match_place
from actions.booking.search import Offer
from actions.booking.service import BookedAppointment, BookingService
from actions.common.db import session_scope
from actions.common.form_answers import Accept, Decision, Redirect, Reject
from actions.common.phones import InvalidPhoneNumber
from actions.common.reply import say

log = logging.getLogger(__name__)

FORM_SLOTS = ["booking_motif", "booking_place", "booking_slot", "booking_first_name", "booking_phone",
              "booking_confirm"]
HELPER_SLOTS = ["booking_offers", "booking_date_pref", "booking_failures", "booking_aborted", "requested_slot"]
CANCEL_SLOTS = ["booking_lookup", "booking_cancel_confirm"]
MOVE_SLOTS = ["booking_lookup", "booking_slot", "booking_move_confirm"]
# Filled from the appointment found, so action_ask_booking_slot proposes times for its motif and place.
MOVE_CONTEXT_SLOTS = ["booking_motif", "booking_place"]

#: booking_cancel_confirm when the resident would rather move the appointment.
MOVE_INSTEAD = "move"
#: booking_aborted values besides True ("annuler", or a technical problem already told).
TOO_LATE = "too_late"
CANCEL_INSTEAD = "cancel"

PREF_KEYS = ("day", "earliest", "latest", "around", "not_before_day")
_NEW_OFFERS = {"booking_slot": None, "booking_offers": None}


# --- the date preference, as the booking_date_pref slot keeps it --------------------------------
def preference_of(raw: Optional[Mapping[str, Any]]) -> Optional[Preference]:
    """The ``booking_date_pref`` slot (a dict of ISO strings) as a :class:`Preference`, or None."""
    if not raw:
        return None

    def day(key: str) -> Optional[date]:
        return date.fromisoformat(raw[key]) if raw.get(key) else None

    def hour(key: str) -> Optional[clock]:
        return clock.fromisoformat(raw[key]) if raw.get(key) else None

    return Preference(day=day("day"), earliest=hour("earliest"), latest=hour("latest"), around=hour("around"),
                      not_before_day=day("not_before_day"))


def pref_dict(pref: Preference) -> dict[str, Optional[str]]:
    """A :class:`Preference` as the ``booking_date_pref`` slot keeps it."""
    return {k: (getattr(pref, k).isoformat() if getattr(pref, k) else None) for k in PREF_KEYS}


# --- the booking form ---------------------------------------------------------------------------
def prefill_motif(service: Callable[[], BookingService], opening: str) -> Optional[str]:
    """The motif named in the message that opened the form ("un rdv pour la CAF"), if any.

    ``service`` is called only here, inside the guard: a database that is down skips the prefill.
    """
    if not opening or opening.startswith("/"):
        return None
    try:
        with session_scope(service().engine) as session:
            motif = match_motif(session, opening)
            return motif.slug if motif is not None else None
    except Exception as exc:  # prefill is a convenience only
        log.warning("motif prefill skipped: %s", type(exc).__name__)
        return None


def motif_answer(service: BookingService, text: str) -> Decision:
    """A motif's slug (a button) or the resident's words for it."""
    with session_scope(service.engine) as session:
        exact = session.scalars(select(Motif).where(Motif.slug == text)).first()
        motif = exact or match_motif(session, text)
        slug = motif.slug if motif else None
    return Reject("utter_booking_motif_not_understood") if slug is None else Accept(slug)


def place_answer(service: BookingService, text: str) -> Decision:
    """A place by number, slug or name; "peu importe" (or the last number) is any place."""
    if text == talk.ANY_PLACE or talk.wants_any_place(text):
        return Accept(talk.ANY_PLACE)
    with session_scope(service.engine) as session:
        places = list(session.scalars(select(Place).order_by(Place.id)))
        number = talk.choice_number(text, len(places) + 1)
        if number == len(places) + 1:
            return Accept(talk.ANY_PLACE)
        place = places[number - 1] if number else (
            next((p for p in places if p.slug == text), None) or match_place(session, text, places))
        slug = place.slug if place else None
    return Reject("utter_booking_place_not_understood") if slug is None else Accept(slug)


def is_first_name(text: str) -> bool:
    """"je m'appelle Nadia" is read as ask_human by the NLU model: at the name question it is a name."""
    return talk.parse_first_name(text) is not None


def first_name_answer(text: str) -> Decision:
    name = talk.parse_first_name(text)
    return Reject("utter_booking_first_name_not_understood") if name is None else Accept(name)


def phone_answer(text: str) -> Decision:
    """A French mobile, typed alone or inside a sentence, as E.164."""
    phone: Optional[str]
    try:
        phone = normalise_phone(text)
    except InvalidPhoneNumber:
        phone = find_phone(text)
    return Reject("utter_booking_phone_invalid") if phone is None else Accept(phone)


def slot_answer(text: str, offers: Sequence[str], today: date,
                instead: Callable[[str], Optional[Decision]] = lambda _text: None) -> Decision:
    """One of the offers (token, number or words), "un autre jour", or a day in French.

    ``instead`` reads a request for another form first (the move form's "je veux l'annuler").
    """
    if text in offers:
        return Accept(text)
    switch = instead(text)
    if switch is not None:
        return switch
    starts = [Offer.parse_token(t)[0] for t in offers]
    if talk.wants_other_day(text):
        pref = talk.next_day_preference(max(starts) if starts else None, today)
        return Redirect({**_NEW_OFFERS, "booking_date_pref": pref_dict(pref)})
    number = talk.choice_number(text, len(offers))
    if number is None:
        index = talk.match_offer_by_words(text, starts, today)
        number = None if index is None else index + 1
    if number is not None:
        return Accept(offers[number - 1])
    wanted = parse_when(text, today)
    if wanted.understood:
        return Redirect({**_NEW_OFFERS, "booking_date_pref": pref_dict(wanted.to_preference())})
    return Reject("utter_booking_slot_not_understood")


# --- the confirmations: one parser, three orders ----------------------------------------------
@dataclass(frozen=True)
class Confirmation:
    """What a confirmation answer says, every reading at once (each question picks in its order)."""

    yes: bool
    no: bool
    number: Optional[int]  # a button number typed, 1 to 3
    move: bool  # "changer de jour", "plutôt le décaler"
    cancel: bool  # "je veux l'annuler"
    other_day: bool  # "un autre jour"
    change_time: bool  # "changer le créneau"
    change_phone: bool  # "changer de numéro"


def read_confirmation(text: str) -> Confirmation:
    """Read an answer to a recap ("oui", "non", "2", "changer le créneau", "je veux l'annuler")."""
    lowered = text.lower()
    return Confirmation(
        yes=talk.is_yes(text), no=talk.is_no(text), number=talk.choice_number(text, 3),
        move=talk.wants_move(text), cancel=talk.wants_cancel_appointment(text),
        other_day=talk.wants_other_day(text), change_time=talk.wants_slot_change(text),
        change_phone="numero" in lowered or "téléphone" in lowered or "telephone" in lowered,
    )


def booking_confirm_answer(value: Any, text: str) -> Decision:
    """The booking recap: yes books; another time, another number, or "non" (what to change?)."""
    said = read_confirmation(text)
    if value is True or said.yes:
        return Accept(True)
    if said.change_time:
        return Redirect({"booking_confirm": None, **_NEW_OFFERS, "booking_date_pref": None})
    if said.change_phone:
        return Redirect({"booking_confirm": None, "booking_phone": None})
    if said.no:
        return Redirect({"booking_confirm": None}, (say("utter_booking_what_to_change"),))
    return Reject("utter_booking_confirm_not_understood")


def cancel_confirm_answer(text: str, intent: Optional[str]) -> Decision:
    """Cancelling: yes, no, or "changer de jour" (button 3) to move it instead."""
    said = read_confirmation(text)
    if said.yes:
        return Accept(True)
    if said.move or said.number == 3:
        return Accept(MOVE_INSTEAD)
    if said.no:
        return Accept(False)
    if intent == "move_appointment":
        return Accept(MOVE_INSTEAD)
    return Reject("utter_booking_confirm_not_understood")


def move_confirm_answer(value: Any, text: str, chosen: Optional[str], today: date) -> Decision:
    """Moving: 1 yes, 2 another time, 3 keep the old one; or the same in words, or cancel instead."""
    said = read_confirmation(text)
    if value is True or said.number == 1 or (said.number is None and said.yes):
        return Accept(True)
    if said.number == 3:
        return Accept(False)
    another_time = Redirect({"booking_move_confirm": None, **_NEW_OFFERS, "booking_date_pref": None})
    if said.number == 2:
        return another_time
    if said.cancel:
        return Redirect({"booking_move_confirm": None, "booking_aborted": CANCEL_INSTEAD})
    if said.other_day and chosen:
        pref = talk.next_day_preference(Offer.parse_token(chosen)[0], today)
        return Redirect({"booking_move_confirm": None, **_NEW_OFFERS, "booking_date_pref": pref_dict(pref)})
    if said.change_time or said.move:
        return another_time
    if said.no:
        return Accept(False)
    return Reject("utter_booking_move_confirm_not_understood")


def cancel_instead(text: str) -> Optional[Decision]:
    """At the move form's offers, "non, je veux l'annuler" goes to the cancel form."""
    if talk.wants_cancel_appointment(text):
        return Redirect({"booking_slot": None, "booking_aborted": CANCEL_INSTEAD})
    return None


# --- finding the appointment (cancel and move forms) ----------------------------------------------
def is_lookup_answer(text: str) -> bool:
    """A reference in the message: an answer even when NLU read something else."""
    return bool(moving.reference_candidates(text))


def prefill_lookup(opening: str, channel: Optional[str], sender_id: Optional[str]) -> Optional[str]:
    """A reference or mobile in the opening message, else the number an SMS resident writes from."""
    if moving.reference_candidates(opening) or find_phone(opening):
        return opening
    if channel == "sms" and find_phone(sender_id or ""):
        return sender_id
    return None


def lookup_answer(service: BookingService, text: str,
                  on_found: Callable[[list[BookedAppointment]], Decision] | None = None) -> Decision:
    """The soonest upcoming appointment for a reference or mobile; ``on_found`` decides what follows."""
    found = moving.find_upcoming(service, text)
    if not found:
        return Reject("utter_booking_lookup_not_found")
    return on_found(found) if on_found else Accept(found[0].reference)


def move_lookup(service: BookingService, text: str, motif: Optional[str], place: Optional[str]) -> Decision:
    """The move form's first question: the appointment found, then :func:`move_found`."""
    return lookup_answer(service, text, lambda found: move_found(service, found, motif, place))


def move_found(service: BookingService, found: list[BookedAppointment], motif: Optional[str],
               place: Optional[str]) -> Decision:
    """The appointment to move: too late, or its motif and place for the offers, said once."""
    target = moving.target(service, found[0].reference)
    if target.too_late:  # said by the submit action, which can hand over to a person
        return Redirect({"booking_lookup": target.reference, "booking_aborted": TOO_LATE})
    # Said once: not again when the form comes back (someone took the time, or from the cancel form).
    again = motif == target.motif_slug and bool(place)
    messages = [] if again else [say("utter_booking_move_found", when=talk.offer_label(target.starts_at, ""),
                                     place=target.place_name)]
    if len(found) > 1 and not again:
        messages.append(say("utter_booking_move_several", count=len(found)))
    return Accept(target.reference, {"booking_motif": target.motif_slug, "booking_place": target.place_slug},
                  tuple(messages))

"""Moving an appointment in conversation: the move form's actions on a real SQLite database.

Rasa's part is played by :class:`tests.common.form_loop.FormLoop` (ask the first empty slot of
the active form, hand each answer to the form's validation action, run the submit action when
the form is done, follow a FollowupAction to another form), so the tests read like what a
resident sees.
"""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from actions.booking import actions as booking_actions
from actions.booking import conversation as talk
from actions.booking import moving
from actions.booking.fmt import when_fr
from actions.booking.models import Appointment, Place
from actions.booking.search import Offer
from actions.common.db import session_scope
from actions.notifications.models import PENDING, Notification
from tests.common.form_loop import FormLoop
from tools.domain import load_domain

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = load_domain()
PHONE, OTHER_PHONE = "+33612345678", "+33781223344"
MEDIA = "mediatheque-jean-jacques-rousseau"

ACTIONS = [booking_actions.ValidateBookingForm(), booking_actions.ValidateBookingCancelForm(),
           booking_actions.ValidateBookingMoveForm(), booking_actions.ActionAskBookingSlot(),
           booking_actions.ActionAskBookingConfirm(), booking_actions.ActionAskBookingCancelConfirm(),
           booking_actions.ActionAskBookingMoveConfirm(), booking_actions.ActionBookingSubmit(),
           booking_actions.ActionBookingCancelSubmit(), booking_actions.ActionBookingMoveSubmit()]
# What the rules run when each form is done.
SUBMITS = {"booking_form": "action_booking_submit", "booking_cancel_form": "action_booking_cancel_submit",
           "booking_move_form": "action_booking_move_submit"}


@pytest.fixture
def service(app_db):
    return booking_actions.app_service()


class Resident(FormLoop):
    """Rasa's side of the forms, enough to drive the booking actions as a resident would."""

    def __init__(self, channel: str = "rest", sender_id: str = "resident-1") -> None:
        super().__init__(DOMAIN, ACTIONS, channel=channel, sender_id=sender_id, submits=SUBMITS)

    def offers(self) -> list[dict[str, Any]]:
        return self.response("utter_ask_booking_slot")["buttons"]


def book(service, place: str = MEDIA, phone: str = PHONE, index: int = 0):
    offer = service.search("email", place, max_per_day=None, limit=10)[index]
    return service.book("email", offer.start, offer.place_id, offer.conseiller_id, first_name="Nadia",
                        phone_e164=phone, channel="sms")


def is_free(service, start, place: str = MEDIA) -> bool:
    return start in [o.start for o in service.search("email", place, max_per_day=None, limit=50)]


def pending_messages(service) -> list[str]:
    with session_scope(service.engine) as s:
        return [n.body for n in s.scalars(select(Notification).where(Notification.status == PENDING))]


# --- happy paths -------------------------------------------------------------------------------


def test_move_by_reference_keeps_the_reference_and_frees_the_old_time(service) -> None:
    appt = book(service)
    resident = Resident()
    resident.start("booking_move_form", "je veux changer mon rdv", "move_appointment")
    assert resident.said() == ["utter_ask_booking_lookup"]
    resident.say(f"c'est {appt.reference[:3].lower()} {appt.reference[3:].lower()}")
    found = resident.response("utter_booking_move_found")
    assert found["when"] == talk.offer_label(appt.starts_at, "") and found["place"] == appt.place_name
    offers = resident.offers()
    assert len(offers) == 4 and offers[-1]["payload"] == "un autre jour"
    assert resident.slots["booking_motif"] == "email" and resident.slots["booking_place"] == MEDIA
    resident.say("2")
    chosen = Offer.parse_token(resident.slots["booking_slot"])[0]
    recap = resident.response("utter_ask_booking_move_confirm")
    assert recap["old"] == when_fr(appt.starts_at) and recap["when"] == when_fr(chosen)
    assert recap["reference"] == appt.reference and recap["place"] == appt.place_name
    resident.say("oui", "affirm")
    moved = resident.response("utter_booking_moved")
    assert moved["reference"] == appt.reference and moved["when"] == when_fr(chosen)
    assert "utter_booking_ics" in resident.said()  # web resident: a new calendar link
    assert service.get(appt.reference).starts_at == chosen
    assert is_free(service, appt.starts_at) and not is_free(service, chosen)
    assert resident.form is None and resident.slots["booking_lookup"] is None
    assert resident.slots["booking_motif"] is None and resident.slots["booking_reference"] == appt.reference
    bodies = pending_messages(service)
    assert bodies and all(when_fr(chosen) in b for b in bodies)  # confirmation and reminder for the new time


def test_move_by_phone_given_in_the_first_message(service) -> None:
    appt = book(service)
    resident = Resident()
    resident.start("booking_move_form", "je peux pas venir, on peut mettre un autre jour ? c'est le 06 12 34 56 78",
                   "move_appointment")
    assert resident.said()[0] == "utter_booking_move_found" and resident.slots["requested_slot"] == "booking_slot"
    assert resident.slots["booking_lookup"] == appt.reference
    resident.say("1")
    resident.say("ok")
    assert "utter_booking_moved" in resident.said()


def test_a_wrong_number_then_the_right_one(service) -> None:
    appt = book(service)
    resident = Resident()
    resident.start("booking_move_form", "decaler mon rendez vous", "move_appointment")
    resident.say("06 99 99 99 99")
    assert resident.said()[0] == "utter_booking_lookup_not_found" and resident.slots["booking_lookup"] is None
    resident.say("07 00 00 00 01")
    assert resident.said()[:2] == ["utter_booking_lookup_not_found", "utter_booking_offer_human"]
    resident.say("06 12 34 56 78")
    assert resident.slots["booking_lookup"] == appt.reference


def test_sms_resident_is_found_by_the_number_they_write_from(service) -> None:
    appt = book(service)
    resident = Resident(channel="sms", sender_id=PHONE)
    resident.start("booking_move_form", "DECALER", "move_appointment")
    assert resident.slots["booking_lookup"] == appt.reference and resident.slots["requested_slot"] == "booking_slot"
    resident.say("1")
    resident.say("oui")
    assert "utter_booking_moved" in resident.said() and "utter_booking_ics" not in resident.said()


def test_two_appointments_by_phone_the_soonest_is_taken_and_the_resident_is_told(service) -> None:
    first = book(service, index=0)
    book(service, index=3)
    resident = Resident()
    resident.start("booking_move_form", "je veux changer mon rdv", "move_appointment")
    resident.say("0612345678")
    assert resident.slots["booking_lookup"] == first.reference
    assert resident.response("utter_booking_move_several")["count"] == 2


def test_a_day_in_words_and_another_day(service) -> None:
    appt = book(service)
    resident = Resident()
    resident.start("booking_move_form", f"changer le rdv {appt.reference}", "move_appointment")
    last = max(Offer.parse_token(t)[0] for t in resident.slots["booking_offers"])
    resident.say("un autre jour")
    starts = [Offer.parse_token(t)[0] for t in resident.slots["booking_offers"]]
    assert starts and min(starts).date() > last.date()


# --- too late: call the place, never a dead end --------------------------------------------------


def set_place_phone(service, phone: str) -> None:
    with session_scope(service.engine) as s:
        s.execute(update(Place).where(Place.slug == MEDIA).values(phone=phone))


def test_too_late_gives_the_place_phone_at_once(service) -> None:
    appt = book(service)
    set_place_phone(service, "+33479000000")
    service.clock = lambda: appt.starts_at - timedelta(hours=3)
    resident = Resident()
    resident.start("booking_move_form", "je veux decaler mon rdv", "move_appointment")
    resident.say(appt.reference)
    late = resident.response("utter_booking_move_too_late")
    assert late["phone"] == "04 79 00 00 00" and late["place"] == appt.place_name
    assert "utter_ask_booking_slot" not in resident.said() and resident.form is None
    assert service.get(appt.reference).starts_at == appt.starts_at


def test_too_late_without_a_known_phone_hands_over_to_a_person(service) -> None:
    appt = book(service)
    service.clock = lambda: appt.starts_at - timedelta(hours=1)
    resident = Resident()
    resident.start("booking_move_form", f"je veux changer mon rendez-vous {appt.reference}", "move_appointment")
    assert resident.said() == ["utter_booking_move_too_late_no_phone", "action_human_contact"]
    assert resident.slots["booking_aborted"] is None and resident.slots["booking_lookup"] is None


def test_too_late_when_time_passed_during_the_conversation(service) -> None:
    appt = book(service)
    set_place_phone(service, "04 79 11 22 33")
    resident = Resident()
    resident.start("booking_move_form", "je veux changer mon rdv", "move_appointment")
    resident.say(appt.reference)
    resident.say("1")
    service.clock = lambda: appt.starts_at - timedelta(hours=2)
    resident.say("oui")
    assert resident.response("utter_booking_move_too_late")["phone"] == "04 79 11 22 33"
    assert service.get(appt.reference).starts_at == appt.starts_at


def test_place_phone_comes_from_the_contacts_when_the_place_has_none(monkeypatch) -> None:
    from actions.core import contacts

    record = contacts.Contact("ccas-chambery", "CCAS de Chambéry", "", "+33479602020", "", "https://example.org")
    monkeypatch.setattr(contacts, "contacts_by_id", lambda: {"ccas-chambery": record})
    assert moving.place_phone("", "ccas-chambery") == "04 79 60 20 20"
    assert moving.place_phone(" 04 79 00 00 00 ", "ccas-chambery") == "04 79 00 00 00"
    assert moving.place_phone("", "unknown") == ""


# --- change of mind ------------------------------------------------------------------------------


def test_another_time_at_the_recap_then_keep_the_old_one(service) -> None:
    appt = book(service)
    resident = Resident()
    resident.start("booking_move_form", "je veux changer mon rdv", "move_appointment")
    resident.say(appt.reference)
    resident.say("1")
    resident.say("changer le créneau")
    assert resident.slots["requested_slot"] == "booking_slot" and resident.slots["booking_lookup"] == appt.reference
    resident.say("2")
    assert resident.slots["requested_slot"] == "booking_move_confirm"
    before = pending_messages(service)
    resident.say("non", "deny")
    kept = resident.response("utter_booking_move_kept")
    assert kept["when"] == talk.offer_label(appt.starts_at, "")
    assert service.get(appt.reference).starts_at == appt.starts_at and pending_messages(service) == before


def test_annuler_stops_the_move_and_keeps_the_appointment(service) -> None:
    appt = book(service)
    resident = Resident()
    resident.start("booking_move_form", "je veux changer mon rdv", "move_appointment")
    resident.say(appt.reference)
    resident.say("annuler", "cancel_appointment")
    assert resident.said() == ["utter_booking_move_kept"] and resident.form is None
    assert service.get(appt.reference).status == "booked"


def test_annuler_at_the_first_question(service) -> None:
    resident = Resident()
    resident.start("booking_move_form", "je veux changer mon rdv", "move_appointment")
    resident.say("laisse tomber", "start_over")
    assert resident.said() == ["utter_booking_cancel_kept"]


def test_retour_goes_back_to_the_reference(service) -> None:
    appt = book(service)
    resident = Resident()
    resident.start("booking_move_form", "je veux changer mon rdv", "move_appointment")
    resident.say(appt.reference)
    resident.say("retour")
    assert resident.slots["requested_slot"] == "booking_lookup" and resident.slots["booking_motif"] is None
    resident.say(appt.reference)
    assert "utter_booking_move_found" in resident.said()


def test_wanting_to_cancel_instead_goes_to_the_cancel_confirmation(service) -> None:
    appt = book(service)
    resident = Resident()
    resident.start("booking_move_form", "je veux changer mon rdv", "move_appointment")
    resident.say(appt.reference)
    resident.say("non en fait je veux l'annuler", "cancel_appointment")
    assert resident.form == "booking_cancel_form" and resident.slots["requested_slot"] == "booking_cancel_confirm"
    assert resident.said()[-1] == "utter_ask_booking_cancel_confirm"
    resident.say("oui", "affirm")
    assert resident.said()[-1] == "utter_booking_cancelled" and service.upcoming(reference=appt.reference) == []


def test_cancelling_resident_can_change_the_day_instead(service) -> None:
    appt = book(service)
    resident = Resident()
    resident.start("booking_cancel_form", "je peux pas venir a mon rdv", "cancel_appointment")
    resident.say(appt.reference)
    assert resident.said()[-1] == "utter_ask_booking_cancel_confirm"
    buttons = DOMAIN["responses"]["utter_ask_booking_cancel_confirm"][0]["buttons"]
    assert buttons[-1]["payload"] == "changer de jour"
    resident.say("changer de jour")
    assert resident.said()[0] == "utter_booking_move_instead" and "utter_booking_move_found" not in resident.said()
    assert resident.form == "booking_move_form" and resident.slots["requested_slot"] == "booking_slot"
    resident.say("1")
    resident.say("oui")
    assert "utter_booking_moved" in resident.said() and service.get(appt.reference).status == "booked"
    assert service.get(appt.reference).starts_at != appt.starts_at


# --- the world moves on ----------------------------------------------------------------------------


def test_someone_faster_takes_the_new_time_then_new_offers(service) -> None:
    appt = book(service)
    resident = Resident()
    resident.start("booking_move_form", "je veux changer mon rdv", "move_appointment")
    resident.say(appt.reference)
    resident.say("1")
    start, place_id, conseiller_id = Offer.parse_token(resident.slots["booking_slot"])
    service.book("email", start, place_id, conseiller_id, first_name="Karim", phone_e164=OTHER_PHONE, channel="sms")
    resident.say("oui")
    assert resident.said()[0] == "utter_booking_slot_taken" and "utter_booking_move_found" not in resident.said()
    assert resident.form == "booking_move_form" and resident.slots["requested_slot"] == "booking_slot"
    assert resident.slots["booking_offers"] and resident.slots["booking_lookup"] == appt.reference
    assert service.get(appt.reference).starts_at == appt.starts_at  # nothing changed meanwhile
    resident.say("1")
    resident.say("oui")
    assert "utter_booking_moved" in resident.said()


def test_urgent_message_interrupts_the_move_form(service) -> None:
    appt = book(service)
    resident = Resident()
    resident.start("booking_move_form", "je veux changer mon rdv", "move_appointment")
    resident.say(appt.reference)
    result = resident.say("je dors dehors ce soir", "urgent_shelter")
    assert not [e for e in result if e.get("name") == "booking_slot"]  # not an answer: the rules answer it
    assert resident.rejected and resident.slots["requested_slot"] == "booking_slot"
    resident.resume()  # after the rules' answer, the same question again
    assert resident.said() == ["utter_ask_booking_slot"] and resident.form == "booking_move_form"


def test_moved_appointment_is_found_again_and_can_be_cancelled(service) -> None:
    appt = book(service)
    resident = Resident()
    resident.start("booking_move_form", "je veux changer mon rdv", "move_appointment")
    resident.say(appt.reference)
    resident.say("3")
    resident.say("oui")
    with session_scope(service.engine) as s:
        stored = s.scalars(select(Appointment).where(Appointment.reference == appt.reference)).one()
        assert [e.action for e in stored.events] == ["booked", "moved"]
    canceller = Resident()
    canceller.start("booking_cancel_form", "annuler mon rdv", "cancel_appointment")
    canceller.say(appt.reference)
    canceller.say("oui")
    assert canceller.said()[-1] == "utter_booking_cancelled"


# --- reading the resident's words ----------------------------------------------------------------


@pytest.mark.parametrize("said, move", [("changer de jour", True), ("un autre jour", True), ("plutôt le décaler", True),
                                        ("on peut le reporter ?", True), ("une autre heure", True),
                                        ("oui", False), ("non", False), ("annuler", False), ("2", False)])
def test_wants_move(said: str, move: bool) -> None:
    assert talk.wants_move(said) is move


@pytest.mark.parametrize("said, cancel", [("je veux l'annuler", True), ("annulez mon rdv svp", True),
                                          ("annuler", False), ("Annule !", False), ("changer de jour", False)])
def test_wants_cancel_appointment(said: str, cancel: bool) -> None:
    assert talk.wants_cancel_appointment(said) is cancel


@pytest.mark.parametrize("said, first", [("c'est K7M4QX", "K7M4QX"), ("ma ref c est k7m 4qx", "K7M4QX"),
                                         ("K7 M4 QX", "K7M4QX"), ("changer le rdv K7M4QX stp", "K7M4QX")])
def test_reference_candidates_never_glue_the_words_around_first(said: str, first: str) -> None:
    assert moving.reference_candidates(said)[0] == first or first in moving.reference_candidates(said)
    assert moving.reference_candidates("je veux changer mon rdv") == []


@pytest.mark.parametrize("reference", ["ABCDE2", "2ABCDE", "K7M4QX", "234567"])
def test_a_reference_at_the_end_of_a_long_first_message_is_found(service, reference) -> None:
    """Whatever its letters, a reference after many words is read in the first message."""
    appt = book(service)
    with session_scope(service.engine) as s:
        s.execute(update(Appointment).where(Appointment.reference == appt.reference).values(reference=reference))
    resident = Resident()
    resident.start("booking_move_form", f"bonjour je veux changer mon rendez-vous {reference}", "move_appointment")
    assert resident.slots["booking_lookup"] == reference and resident.slots["requested_slot"] == "booking_slot"


def test_button_numbers_typed_at_the_recap(service) -> None:
    appt = book(service)
    resident = Resident()
    resident.start("booking_move_form", "je veux changer mon rdv", "move_appointment")
    resident.say(appt.reference)
    resident.say("1")
    resident.say("2")  # "Une autre heure"
    assert resident.slots["requested_slot"] == "booking_slot"
    resident.say("1")
    resident.say("3")  # "Garder l'ancien"
    assert resident.said() == ["utter_booking_move_kept"]
    canceller = Resident()
    canceller.start("booking_cancel_form", "annuler mon rdv", "cancel_appointment")
    canceller.say(appt.reference)
    canceller.say("3")  # "Changer de jour"
    assert canceller.form == "booking_move_form" and canceller.said()[0] == "utter_booking_move_instead"

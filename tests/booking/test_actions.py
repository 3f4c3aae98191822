"""The booking form's actions with a real rasa_sdk tracker and a real database.

Rasa's part of the form loop is played by :class:`tests.common.form_loop.FormLoop` (activate,
hand each answer to the validation action, ask the next empty slot) so these tests follow what
a resident would see.
"""
from __future__ import annotations

from pathlib import Path


from actions.booking import actions as booking_actions
from tests.common.form_loop import FormLoop
from tools.domain import load_domain

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = load_domain()
ACTIONS = [booking_actions.ValidateBookingForm(), booking_actions.ValidateBookingCancelForm(),
           booking_actions.ActionAskBookingSlot(), booking_actions.ActionAskBookingConfirm(),
           booking_actions.ActionAskBookingCancelConfirm()]


def conversation(sender_id: str = "resident-1") -> FormLoop:
    """A resident on the web chat; submit actions are run by each test, as the rules would."""
    return FormLoop(DOMAIN, ACTIONS, sender_id=sender_id)


MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
          "octobre", "novembre", "décembre"]


def a_day_not_on_screen() -> tuple[str, str]:
    """A Thursday (La Dynamo opens on Thursday afternoons) beyond the offers on screen.

    The first offers are the soonest ones, so a weekday alone may be on screen already, and
    naming it rightly picks that offer. These tests ask for another day: a date two weeks
    on. Returns how the offers' labels name that day, and how a resident asks for it.
    """
    from datetime import date, timedelta

    day = date.today() + timedelta(days=14)
    day += timedelta(days=(3 - day.weekday()) % 7)
    return f"jeudi {day.day} {MONTHS[day.month - 1]}", f"le {day.day} {MONTHS[day.month - 1]} apres-midi"


def start(conv: FormLoop, text: str = "/book_appointment") -> None:
    conv.start("booking_form", text, "book_appointment")


def test_happy_path_books_and_confirms_with_reference(app_db) -> None:
    conv = conversation()
    start(conv)
    assert conv.slots["requested_slot"] == "booking_motif"
    conv.say("apprendre a envoyer un mail")
    assert conv.slots["booking_motif"] == "email" and conv.slots["requested_slot"] == "booking_place"
    conv.say("peu importe")
    offers = [r for r in conv.responses if r.get("response") == "utter_ask_booking_slot"][0]["buttons"]
    assert len(offers) == 4 and offers[-1]["payload"] == "un autre jour"
    conv.say("2")
    assert conv.slots["booking_slot"] == conv.slots["booking_offers"][1]
    conv.say("je m'appelle nadia")
    conv.say("06 12 34 56 78")
    assert conv.slots["booking_phone"] == "+33612345678"
    recap = [r for r in conv.responses if r.get("response") == "utter_ask_booking_confirm"][0]
    assert recap["first_name"] == "Nadia" and recap["phone"] == "06 12 34 56 78"
    conv.say("oui", "affirm")
    assert conv.form is None
    conv.run(booking_actions.ActionBookingSubmit())
    confirmed = [r for r in conv.responses if r.get("response") == "utter_booking_confirmed"][0]
    assert len(confirmed["reference"]) == 6 and conv.slots["booking_reference"] == confirmed["reference"]
    assert "utter_booking_ics" in conv.said()  # web resident: a calendar link
    assert conv.slots["booking_phone"] is None  # form slots are cleared after booking


def test_motif_given_in_the_first_message_is_not_asked_again(app_db) -> None:
    conv = conversation()
    start(conv, "je voudrais un rdv pour faire ma demande CAF en ligne")
    assert conv.slots["booking_motif"] == "caf-en-ligne" and conv.slots["requested_slot"] == "booking_place"


def test_invalid_phone_twice_offers_a_person(app_db) -> None:
    conv = conversation()
    conv.at_question("booking_form", "booking_phone", booking_motif="email", booking_place="dynamo",
                     booking_first_name="Nadia", booking_slot="x")  # skip to the phone question
    conv.say("06 12 34")
    assert conv.said()[:1] == ["utter_booking_phone_invalid"] and "utter_booking_offer_human" not in conv.said()
    conv.say("jsp mon numero")
    assert conv.said()[:2] == ["utter_booking_phone_invalid", "utter_booking_offer_human"]
    conv.say("+33 7 81 22 33 44")
    assert conv.slots["booking_phone"] == "+33781223344"


def test_back_goes_to_the_previous_question_and_cancel_stops(app_db) -> None:
    conv = conversation()
    start(conv)
    conv.say("smartphone")
    assert conv.slots["requested_slot"] == "booking_place"
    conv.say("retour")
    assert conv.slots["booking_motif"] is None and conv.slots["requested_slot"] == "booking_motif"
    conv.say("annuler", "cancel_appointment")
    assert conv.form is None
    conv.run(booking_actions.ActionBookingSubmit())
    assert conv.said()[-1] == "utter_booking_aborted"


def test_urgent_message_is_not_taken_as_an_answer(app_db) -> None:
    conv = conversation()
    start(conv)
    events = conv.say("je suis a la rue ce soir", "urgent_shelter")
    assert [e for e in events if e.get("event") == "slot" and e["name"] == "booking_motif"] == []
    assert conv.rejected and conv.said() == []  # the rules answer the urgency...
    conv.resume()
    assert conv.slots["requested_slot"] == "booking_motif"  # ...then the form resumes on the same question
    assert conv.said() == ["utter_ask_booking_motif"]


def test_change_of_mind_at_recap_and_free_text_day(app_db) -> None:
    conv = conversation()
    start(conv)
    conv.say("mes mails")
    conv.say("La Dynamo")
    conv.say("1")
    conv.say("Karim")
    conv.say("0612345678")
    conv.say("changer le créneau")
    assert conv.slots["requested_slot"] == "booking_slot" and conv.slots["booking_first_name"] == "Karim"
    day, asked = a_day_not_on_screen()
    conv.say(asked)
    labels = [b["title"] for r in conv.responses if r.get("buttons") for b in r["buttons"]]
    assert labels and all(day in label for label in labels[:-1])


def test_someone_faster_gets_the_slot_then_new_offers(app_db) -> None:
    first, second = conversation("resident-1"), conversation("resident-2")
    for conv in (first, second):
        start(conv)
        conv.say("mail")
        conv.say("dynamo")
        conv.say("1")
        conv.say("Nadia")
        conv.say("0612345678")
        conv.say("oui")
    first.run(booking_actions.ActionBookingSubmit())
    second.run(booking_actions.ActionBookingSubmit())
    assert "utter_booking_slot_taken" in second.said()
    assert second.slots["booking_slot"] is None


def test_a_confirmation_replayed_by_the_same_resident_confirms_the_booking_they_have(app_db) -> None:
    """The first answer was lost (a Rasa replica died mid-turn): the same confirmation runs again."""
    first, replay = conversation("resident-1"), conversation("resident-1")
    for conv in (first, replay):
        start(conv)
        for text in ("mail", "dynamo", "1", "Nadia", "0612345678", "oui"):
            conv.say(text)
    first.run(booking_actions.ActionBookingSubmit())
    replay.run(booking_actions.ActionBookingSubmit())
    assert "utter_booking_confirmed" in replay.said() and "utter_booking_slot_taken" not in replay.said()
    assert first.slots["booking_reference"] and replay.slots["booking_reference"] == first.slots["booking_reference"]


def test_cancel_by_phone(app_db) -> None:
    booker = conversation()
    start(booker)
    for answer in ("mail", "mediatheque", "1", "Nadia", "0612345678", "oui"):
        booker.say(answer)
    booker.run(booking_actions.ActionBookingSubmit())
    conv = conversation()
    conv.start("booking_cancel_form", "je veux annuler mon rdv", "cancel_appointment")
    assert conv.slots["requested_slot"] == "booking_lookup"
    conv.say("06 99 99 99 99")
    assert "utter_booking_lookup_not_found" in conv.said()
    conv.say("c'est le 06 12 34 56 78")
    assert conv.slots["booking_lookup"] == booker.slots["booking_reference"]
    conv.say("oui")
    conv.run(booking_actions.ActionBookingCancelSubmit())
    assert conv.said()[-1] == "utter_booking_cancelled"


def test_a_bare_phone_number_is_an_answer_even_if_nlu_thinks_it_is_urgent(app_db) -> None:
    """The NLU model reads "06 12 34 56 78" as urgent_child: at the phone question it is an answer."""
    conv = conversation()
    conv.at_question("booking_form", "booking_phone", booking_motif="email", booking_place="dynamo",
                     booking_slot="x", booking_first_name="Nadia")
    conv.say("06 12 34 56 78", "urgent_child")
    assert conv.slots["booking_phone"] == "+33612345678"


def test_words_misread_as_help_are_still_an_answer(app_db) -> None:
    conv = conversation()
    start(conv)
    conv.say("mail")
    conv.say("dynamo")
    day, asked = a_day_not_on_screen()
    conv.say(asked, "help")
    labels = [b["title"] for r in conv.responses if r.get("buttons") for b in r["buttons"]]
    assert labels and all(day in label for label in labels[:-1])


def test_a_name_misread_as_asking_for_a_person_is_still_a_name(app_db) -> None:
    conv = conversation()
    conv.at_question("booking_form", "booking_first_name", booking_motif="email", booking_place="dynamo",
                     booking_slot="x")
    conv.say("je m'appelle nadia", "ask_human")
    assert conv.slots["booking_first_name"] == "Nadia"
    conv.at_question("booking_form", "booking_first_name", booking_first_name=None)
    events = conv.say("je veux parler a une vraie personne", "ask_human")
    assert not [e for e in events if e.get("name") == "booking_first_name"]  # a real request: the form yields
    assert conv.rejected and conv.slots["requested_slot"] == "booking_first_name"

"""Each booking question's answer → a decision, without Rasa (actions/booking/questions.py).

The three confirmations share one parser but not one order: the same words mean different
things at the booking recap, when cancelling and when moving. These tests pin each order.
"""
from __future__ import annotations

from datetime import date

import pytest

from actions.booking import questions as q
from actions.booking.search import Offer
from actions.common.form_answers import Accept, Redirect, Reject

TODAY = date(2026, 11, 30)  # a Monday
TOKENS = ["20261201T0800|1|1", "20261201T0900|1|1", "20261203T1300|2|3"]


# --- the booking recap --------------------------------------------------------------------------
@pytest.mark.parametrize("said", ["oui", "ok", "1", "je confirme"])
def test_booking_recap_yes(said: str) -> None:
    assert q.booking_confirm_answer(said, said) == Accept(True)


def test_booking_recap_no_asks_what_to_change_and_2_is_no() -> None:
    for said in ("non", "2"):
        decision = q.booking_confirm_answer(said, said)
        assert isinstance(decision, Redirect) and decision.updates == {"booking_confirm": None}
        assert [m.response for m in decision.messages] == ["utter_booking_what_to_change"]


def test_booking_recap_another_time_or_another_number() -> None:
    time = q.booking_confirm_answer("changer le créneau", "changer le créneau")
    assert time == Redirect({"booking_confirm": None, "booking_slot": None, "booking_offers": None,
                             "booking_date_pref": None})
    phone = q.booking_confirm_answer("non, changer le téléphone", "non, changer le téléphone")
    assert phone == Redirect({"booking_confirm": None, "booking_phone": None})


def test_booking_recap_not_understood_and_a_button_value() -> None:
    assert q.booking_confirm_answer("le 2", "le 2") == Reject("utter_booking_confirm_not_understood")
    assert q.booking_confirm_answer(True, "True") == Accept(True)


# --- cancelling ---------------------------------------------------------------------------------
@pytest.mark.parametrize("said, value", [("oui", True), ("1", True), ("non", False), ("2", False),
                                         ("3", q.MOVE_INSTEAD), ("plutôt changer de jour", q.MOVE_INSTEAD),
                                         ("non, plutôt le décaler", q.MOVE_INSTEAD)])
def test_cancel_confirmation(said: str, value: object) -> None:
    assert q.cancel_confirm_answer(said, "inform") == Accept(value)


def test_cancel_confirmation_reads_the_intent_last() -> None:
    assert q.cancel_confirm_answer("bof", "move_appointment") == Accept(q.MOVE_INSTEAD)
    assert q.cancel_confirm_answer("le 1", "inform") == Reject("utter_booking_confirm_not_understood")


# --- moving -------------------------------------------------------------------------------------
def test_move_confirmation_buttons_typed() -> None:
    assert q.move_confirm_answer("1", "1", TOKENS[0], TODAY) == Accept(True)
    assert q.move_confirm_answer("3", "3", TOKENS[0], TODAY) == Accept(False)
    two = q.move_confirm_answer("2", "2", TOKENS[0], TODAY)  # "une autre heure", not "non"
    assert two == Redirect({"booking_move_confirm": None, "booking_slot": None, "booking_offers": None,
                            "booking_date_pref": None})


def test_move_confirmation_words() -> None:
    assert q.move_confirm_answer("non", "non", TOKENS[0], TODAY) == Accept(False)
    cancel = q.move_confirm_answer("je veux l'annuler", "je veux l'annuler", TOKENS[0], TODAY)
    assert cancel == Redirect({"booking_move_confirm": None, "booking_aborted": q.CANCEL_INSTEAD})
    other = q.move_confirm_answer("un autre jour", "un autre jour", TOKENS[0], TODAY)
    assert isinstance(other, Redirect) and other.updates["booking_date_pref"]["not_before_day"] == "2026-12-02"
    assert q.move_confirm_answer("hmm", "hmm", None, TODAY) == Reject("utter_booking_move_confirm_not_understood")


# --- the offers -----------------------------------------------------------------------------------
def test_an_offer_by_token_number_or_words() -> None:
    assert q.slot_answer(TOKENS[1], TOKENS, TODAY) == Accept(TOKENS[1])
    assert q.slot_answer("le 3", TOKENS, TODAY) == Accept(TOKENS[2])
    assert q.slot_answer("jeudi", TOKENS, TODAY) == Accept(TOKENS[2])


def test_another_day_or_a_day_in_words_asks_new_offers() -> None:
    later = q.slot_answer("un autre jour", TOKENS, TODAY)
    last = max(Offer.parse_token(t)[0] for t in TOKENS)
    assert isinstance(later, Redirect) and later.updates["booking_offers"] is None
    assert later.updates["booking_date_pref"]["not_before_day"] == "2026-12-04" and last.day == 3
    friday = q.slot_answer("vendredi matin", TOKENS, TODAY)
    assert isinstance(friday, Redirect) and friday.updates["booking_date_pref"]["day"] == "2026-12-04"
    assert q.slot_answer("bleu", TOKENS, TODAY) == Reject("utter_booking_slot_not_understood")


def test_the_move_form_reads_cancel_instead_first() -> None:
    decision = q.slot_answer("non je veux l'annuler", TOKENS, TODAY, q.cancel_instead)
    assert decision == Redirect({"booking_slot": None, "booking_aborted": q.CANCEL_INSTEAD})
    assert q.cancel_instead("annuler") is None  # the bare word stops the form instead


def test_the_date_preference_round_trips_through_its_slot() -> None:
    later = q.slot_answer("mardi après-midi", TOKENS, TODAY)
    assert isinstance(later, Redirect)
    pref = q.preference_of(later.updates["booking_date_pref"])
    assert pref is not None and q.pref_dict(pref) == later.updates["booking_date_pref"]
    assert q.preference_of(None) is None


# --- name, phone, look-up -----------------------------------------------------------------------
def test_first_name_and_phone() -> None:
    assert q.first_name_answer("je m'appelle nadia") == Accept("Nadia")
    assert q.first_name_answer("06 12 34 56 78") == Reject("utter_booking_first_name_not_understood")
    assert q.phone_answer("c'est le 06 12 34 56 78 merci") == Accept("+33612345678")
    assert q.phone_answer("04 79 60 20 20") == Reject("utter_booking_phone_invalid")  # reminders go by SMS


def test_lookup_prefill_from_the_opening_message_or_the_sms_number() -> None:
    assert q.prefill_lookup("annuler K7M4QX", "rest", "web-1") == "annuler K7M4QX"
    assert q.prefill_lookup("ANNULER", "sms", "+33612345678") == "+33612345678"
    assert q.prefill_lookup("ANNULER", "rest", "+33612345678") is None


# --- with the appointment book ------------------------------------------------------------------
def test_motif_and_place_from_the_book(service) -> None:
    assert q.motif_answer(service, "email") == Accept("email")
    assert q.motif_answer(service, "apprendre a envoyer un mail") == Accept("email")
    assert q.motif_answer(service, "du jardinage") == Reject("utter_booking_motif_not_understood")
    assert q.place_answer(service, "peu importe") == Accept("any")
    assert q.place_answer(service, "La Dynamo") == Accept("dynamo")
    assert q.prefill_motif(lambda: service, "/book_appointment") is None
    assert q.prefill_motif(lambda: service, "un rdv pour mes mails") == "email"

    def down() -> None:
        raise OSError("database down")

    assert q.prefill_motif(down, "un rdv pour mes mails") is None  # a convenience only


def test_lookup_of_an_unknown_reference(service) -> None:
    assert q.lookup_answer(service, "K7M4QX") == Reject("utter_booking_lookup_not_found")

"""Reading a resident's answers in the handoff form, as they write them."""
from __future__ import annotations

import pytest

from actions.handoff import conversation as c


@pytest.mark.parametrize("text", ["oui", "Oui !", "ouais", "ok", "d'accord", "dac", "oui merci", "Oui, je suis d'accord"])
def test_a_clear_yes_is_consent(text):
    assert c.parse_consent(text) is True


@pytest.mark.parametrize("text", ["non", "Non merci", "nan", "pas d'accord", "je refuse"])
def test_a_clear_no_is_a_refusal(text):
    assert c.parse_consent(text) is False


@pytest.mark.parametrize("text", ["bof", "je sais pas", "c'est quoi le ccas", "pourquoi ?"])
def test_anything_else_is_asked_again(text):
    answer = c.read_answer(c.CONSENT, text, "socketio")
    assert answer.slots == {} and answer.response == "utter_handoff_consent_again"


@pytest.mark.parametrize("text,mode", [
    ("telephone", "telephone"), ("rappelez moi", "telephone"), ("par tel svp", "telephone"),
    ("par sms", "sms"), ("un texto", "sms"), ("rdv", "rendez-vous"), ("rendez-vous", "rendez-vous"),
    ("continuer ici", "ici"), ("par écrit ici", "ici"),
])
def test_the_contact_preference_is_read(text, mode):
    assert c.parse_contact(text) == mode


def test_a_number_given_with_the_preference_is_kept_and_not_asked_again():
    answer = c.read_answer(c.CONTACT, "appelez moi au 06 12 34 56 78", "socketio")
    assert answer.slots == {c.CONTACT: "telephone", c.PHONE: "+33612345678"}
    assert c.required({c.CONSENT: True, **answer.slots}, "socketio") == [c.CONSENT, c.CONTACT, c.PHONE, c.AVAILABILITY]


def test_a_bad_number_is_asked_again_kindly():
    answer = c.read_answer(c.PHONE, "06 12", "socketio")
    assert answer.slots == {} and answer.response == "utter_handoff_phone_invalid"


def test_a_landline_is_accepted_for_a_call_back():
    assert c.read_answer(c.PHONE, "04 79 60 20 20", "rest").slots == {c.PHONE: "+33479602020"}


def test_on_sms_the_number_is_never_asked():
    assert c.PHONE not in c.required({c.CONSENT: True, c.CONTACT: "telephone"}, "sms")


def test_continuing_here_asks_neither_phone_nor_availability():
    assert c.required({c.CONSENT: True, c.CONTACT: "ici"}, "socketio") == [c.CONSENT, c.CONTACT]


def test_refusal_or_stop_ends_the_form_at_once():
    assert c.required({c.CONSENT: False}, "rest") == []
    assert c.read_answer(c.CONTACT, "annuler", "rest").slots == {c.ABORTED: True}
    assert c.required({c.ABORTED: True}, "rest") == []


@pytest.mark.parametrize("text,label", [("le matin", "le matin"), ("aprem", "l'après-midi"),
                                        ("peu importe", "n'importe quand"), ("mardi vers 10h", "mardi vers 10h")])
def test_availability(text, label):
    assert c.parse_availability(text) == label


def test_availability_never_keeps_a_phone_number():
    assert "06" not in c.parse_availability("le soir au 06 12 34 56 78")
    assert c.parse_availability("le soir au 06 12 34 56") == "le soir au"  # even a mistyped one


def test_answers_since_asked_counts_the_messages_after_the_question():
    events = [{"event": "slot", "name": "requested_slot", "value": "handoff_consent"},
              {"event": "user", "text": "bof"}, {"event": "bot", "text": "?"}, {"event": "user", "text": "hein"}]
    assert c.answers_since_asked(events, "handoff_consent") == 2

"""The case summary holds what the conversation gave, and nothing more."""
from __future__ import annotations

from actions.handoff.summary import summarise


def user(text, intent):
    return {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}}


def slot(name, value):
    return {"event": "slot", "name": name, "value": value}


def test_the_summary_names_the_need_the_guides_and_the_last_messages():
    events = [
        user("bonjour", "greet"),
        user("la caf m'a coupé le rsa", "ask_guide"), slot("guide_id", "rsa"),
        user("je cherche une epicerie solidaire", "search_service"), slot("catalogue_demande", "epicerie solidaire"),
        user("je veux parler a quelqu'un", "ask_human"),
        {"event": "active_loop", "name": "handoff_form"}, slot("requested_slot", "handoff_consent"),
        user("oui", "affirm"), slot("requested_slot", "handoff_phone"), user("06 12 34 56 78", "inform"),
    ]
    summary = summarise(events, {"handoff_consent", "handoff_phone"})
    assert summary.need == "trouver un service"
    assert summary.guides == ["rsa"] and summary.searches == ["epicerie solidaire"]
    assert summary.theme == "acces-aux-droits-et-citoyennete"
    assert not summary.urgent
    # the answers given inside the handoff form (consent, phone) are not in the messages
    assert summary.last_messages == ["bonjour", "la caf m'a coupé le rsa", "je cherche une epicerie solidaire",
                                     "je veux parler a quelqu'un"]
    assert "06 12" not in str(summary.as_dict())


def test_an_urgent_message_makes_the_case_urgent_and_sets_its_theme():
    summary = summarise([user("on dort dehors ce soir", "urgent_shelter"), user("un conseiller svp", "ask_human")])
    assert summary.urgent and summary.theme == "logement-hebergement"
    assert summary.need.startswith("situation urgente")


def test_a_booking_made_is_in_the_summary():
    summary = summarise([user("rdv", "book_appointment"), {"event": "active_loop", "name": "booking_form"},
                         slot("booking_reference", "K7M4QX")])
    assert summary.booking == "rendez-vous réservé (référence K7M4QX)" and summary.theme == "numerique"


def test_buttons_payloads_are_not_messages_and_long_messages_are_shortened():
    summary = summarise([user("/help", "help"), user("x" * 500, "nlu_fallback")])
    assert summary.last_messages == ["x" * 199 + "…"]


def test_an_empty_conversation_gives_an_honest_summary():
    summary = summarise([])
    assert summary.need == "parler à une personne" and summary.last_messages == [] and summary.guides == []

"""What the resident reads: at most 3 FALC cards, unknown facts admitted, a human always next."""
from __future__ import annotations

import re
from datetime import datetime

import pytest


from actions.catalogue.conversation import answer, filters_from_entities
from actions.catalogue.contacts import load_contacts
from actions.catalogue.importer import import_records
from tests.catalogue.records import service, structure
from tools.domain import load_domain

AT = datetime(2026, 11, 24, 10, 0)
SMS_SEGMENT_BUDGET = 3 * 160


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?:])\s+|\n", text) if s.strip()]


def test_results_are_at_most_three_plain_cards_then_next_steps(sqlite_seeded):
    reply = answer("je cherche une aide pour mes papiers", {}, engine=sqlite_seeded, at=AT)
    (results, variables), (steps, _) = reply.responses
    assert results == "utter_catalogue_results"
    assert steps in ("utter_catalogue_next_steps", "utter_catalogue_next_steps_more")
    assert variables["cartes"].count("\n\n") <= 2
    for sentence in sentences(variables["cartes"]):
        assert len(sentence.split()) <= 25, sentence
    words = [len(s.split()) for s in sentences(variables["cartes"])]
    assert sum(words) / len(words) < 15


def test_unknown_facts_are_said_unknown_with_the_general_contact(sqlite_seeded):
    reply = answer("portage de repas", {}, engine=sqlite_seeded, at=AT)
    cards = reply.responses[0][1]["cartes"]
    first = cards.split("\n\n")[0]
    assert first.count("je ne connais pas") + first.count("Je ne connais pas") == 1  # said once, not stacked
    assert "Je ne connais pas encore leur adresse" in first and "leurs horaires" in first
    # No sourced phone for the CCAS: the nearest sourced one (France Services, ANCT list) is given.
    assert "Pour les demander, appelez France Services des Hauts de Chambéry au 04 79 68 58 52." in first


def test_known_facts_are_shown(sqlite_seeded):
    import_records([
        ("t", 1, structure()),
        ("t", 2, service(thematiques=["sante--acces-aux-soins"], nom="Permanence santé test",
                         x_documents=["carte Vitale", "justificatif de domicile"],
                         x_langues=["fr", "ar"])),
    ], engine=sqlite_seeded)
    cards = answer("permanence sante", {}, engine=sqlite_seeded, at=AT).responses[0][1]["cartes"]
    assert "Téléphone : +33479000000." in cards
    assert "Où : 1 rue des Tests, Chambéry." in cards
    assert "Aujourd'hui : ouvert de 9 h à 12 h et de 14 h à 17 h." in cards
    assert "À apporter : carte Vitale, justificatif de domicile." in cards
    assert "Langues parlées : français, arabe." in cards


def test_sms_variant_is_short(sqlite_seeded):
    variables = answer("personne agee", {}, engine=sqlite_seeded, at=AT).responses[0][1]
    assert len(variables["cartes_courtes"]) < SMS_SEGMENT_BUDGET
    assert len(variables["cartes_courtes"]) < len(variables["cartes"]) / 2


def test_voir_plus_continues_and_ends_kindly(sqlite_seeded):
    first = answer("", {"public": "seniors"}, engine=sqlite_seeded, at=AT)
    assert first.responses[1][0] == "utter_catalogue_next_steps_more"
    again = answer("", {"public": "seniors"}, offset=3, engine=sqlite_seeded, at=AT)
    assert again.responses[0][1]["cartes"].startswith("4. ")
    end = answer("", {"public": "seniors"}, offset=300, engine=sqlite_seeded, at=AT)
    assert end.responses[0][0] == "utter_catalogue_no_more"
    assert "04 79 68 58 52" in end.responses[0][1]["contact"]  # a sourced phone, never a dead end


def test_vague_request_asks_for_the_need(sqlite_seeded):
    assert answer("/search_service", {}, engine=sqlite_seeded).responses[0][0] == "utter_catalogue_ask_need"


def test_entities_must_be_real_codes():
    entities = [
        {"entity": "thematique", "value": "sante"},
        {"entity": "public", "value": "ma mere"},  # unmapped raw text is ignored
        {"entity": "quartier", "value": "le biolay"},
        {"entity": "jour", "value": "samedi"},
    ]
    assert filters_from_entities(entities) == {"thematique": "sante", "quartier": "biollay", "jour": "samedi"}


def test_domain_responses_exist_with_sms_variants_and_human_button():
    domain = load_domain()
    responses = domain["responses"]
    for name in ("utter_catalogue_results", "utter_catalogue_ask_need", "utter_catalogue_next_steps_more"):
        assert any(v.get("channel") == "sms" for v in responses[name]), name
    for name in ("utter_catalogue_next_steps", "utter_catalogue_next_steps_more",
                 "utter_catalogue_no_result", "utter_catalogue_no_more", "utter_catalogue_error"):
        payloads = [b["payload"] for b in responses[name][0]["buttons"]]
        assert "/ask_human" in payloads, name
    more = [b["payload"] for b in responses["utter_catalogue_next_steps_more"][0]["buttons"]]
    assert more == ["/catalogue_more", "/book_appointment", "/ask_human"]


def test_contacts_file_has_required_contacts_with_sources():
    contacts = load_contacts()
    for key in ("ccas-chambery", "mairie-chambery", "france-services-hauts-de-chambery"):
        assert contacts[key].source.startswith("https://")
    for contact in contacts.values():
        assert not contact.telephone or re.fullmatch(r"\+33\d{9}", contact.telephone)


def test_a_need_told_as_a_situation_gets_services_only_when_the_lexicon_names_a_theme(sqlite_seeded):
    from actions.catalogue.conversation import answer_if_understood

    reply = answer_if_understood("je ne sais pas me servir d'un ordinateur", engine=sqlite_seeded, at=AT)
    assert reply is not None and reply.responses[0][0] == "utter_catalogue_results"
    assert answer_if_understood("qsdf azer", engine=sqlite_seeded, at=AT) is None
    assert answer_if_understood("/help", engine=sqlite_seeded, at=AT) is None


@pytest.mark.parametrize("text,service", [
    ("c'est quoi Médiavue ?", "Médiavue"),
    ("bibliotheque voyageuse c koi", "Bibliothèque voyageuse"),
    ("c'est quoi la cité éducative", "Cité éducative"),
    ("c'est quoi déclic au biollay", "Déclic au Biollay"),
    ("borne simplici c'est où ?", "Borne Simplici+"),
    ("le transport a la demande ca marche comment", "Transport à la demande du CCAS"),
])
def test_a_message_that_names_a_service_gets_its_card_first(sqlite_seeded, text, service):
    from actions.catalogue.conversation import answer_if_understood

    reply = answer_if_understood(text, engine=sqlite_seeded, at=AT)
    assert reply is not None, text
    assert reply.messages[0].variables["cartes"].startswith(f"1. {service}"), reply.messages[0].variables["cartes"][:80]


@pytest.mark.parametrize("nom,name", [
    ("Déclic au Biollay", "declic"), ("Pension de famille du CCAS", "pension de famille"),
    ("Plateforme des solidarités", "plateforme des solidarites"), ("Borne Simplici+", "borne simplici"),
    ("Musée des Beaux-Arts : certaines gratuités", "musee des beaux arts"), ("Aides", None),
])
def test_a_service_is_named_by_the_words_residents_would_use(nom, name):
    from actions.catalogue.conversation import short_name

    assert short_name(nom) == name


def test_a_message_naming_no_service_and_no_theme_is_left_to_the_caller(sqlite_seeded):
    from actions.catalogue.conversation import answer_if_understood

    for text in ("quel est le meilleur restaurant de la ville", "combien font 37 fois 12", "raconte une blague"):
        assert answer_if_understood(text, engine=sqlite_seeded, at=AT) is None, text

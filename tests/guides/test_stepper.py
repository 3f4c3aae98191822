"""Walking a guide: next, repeat, simpler, documents for SMS, jargon, and choosing the guide."""
from __future__ import annotations

import pytest

from actions.guides.library import catalogue_services, load_glossary, load_library
from actions.guides.matching import resolve
from actions.guides.stepper import (
    DISCLAIMER,
    documents_sms,
    documents_text,
    explain,
    gsm_text,
    next_page,
    page,
    pages,
    simpler,
    sms_segments,
)

LIBRARY = load_library()
NAMES = catalogue_services()


def test_a_guide_walks_intro_conditions_steps_then_ending() -> None:
    guide = LIBRARY["domiciliation"]
    first = page(guide, 0, NAMES)
    assert first.index == 0 and "domiciliation" in first.text.lower()
    second = next_page(guide, first.index, NAMES)
    assert second.text.startswith("Les conditions principales")
    third = next_page(guide, second.index, NAMES)
    assert third.text.startswith(f"Étape 1 sur {len(guide.steps)}.")
    last = page(guide, 99, NAMES)
    assert last.is_last and DISCLAIMER in last.text
    assert next_page(guide, last.index, NAMES).text == last.text  # no crash past the end


def test_repeat_gives_the_same_page_and_simpler_is_shorter() -> None:
    guide = LIBRARY["rsa"]
    for index in range(len(pages(guide, NAMES))):
        assert page(guide, index, NAMES).text == page(guide, index, NAMES).text
        assert len(simpler(guide, index, NAMES)) < len(page(guide, index, NAMES).text)


@pytest.mark.parametrize("guide_id", sorted(LIBRARY))
def test_every_guide_ends_on_a_next_action_and_who_decides(guide_id: str) -> None:
    guide = LIBRARY[guide_id]
    ending = pages(guide, NAMES)[-1]
    assert guide.decider in ending and DISCLAIMER in ending
    if guide.next_action == "place":
        assert any(NAMES[place] in ending for place in guide.where)
    elif guide.next_action == "booking":
        assert "rendez-vous" in ending
    else:
        assert "personne" in ending


@pytest.mark.parametrize("guide_id", sorted(LIBRARY))
def test_documents_list_fits_in_two_sms(guide_id: str) -> None:
    guide = LIBRARY[guide_id]
    sms = documents_sms(guide)
    assert sms_segments(sms) <= 2, sms
    assert all(doc.split()[0].lower().strip("'") in documents_text(guide).lower() for doc in guide.documents)


def test_sms_segment_counting_follows_the_gsm_alphabet() -> None:
    assert sms_segments("a" * 160) == 1
    assert sms_segments("a" * 161) == 2
    assert sms_segments("ê" * 70) == 1 and sms_segments("ê" * 71) == 2
    assert gsm_text("Être reçu à l’hôtel «vite»") == "Etre recu à l'hotel \"vite\""


@pytest.mark.parametrize(
    "question,term",
    [
        ("c'est quoi la CAF ?", "caf"),
        ("cest quoi le rsa", "rsa"),
        ("ça veut dire quoi quotient familial", "quotient-familial"),
        ("c quoi un RIB", "rib"),
        ("la MDPH c'est quoi", "mdph"),
    ],
)
def test_explain_finds_the_jargon_word(question: str, term: str) -> None:
    found = explain(question, load_glossary())
    assert found is not None and found.id == term


def test_explain_says_nothing_for_an_unknown_word() -> None:
    assert explain("c'est quoi un zorglub", load_glossary()) is None


@pytest.mark.parametrize(
    "message,expected",
    [
        ("jai plus rien a manger", "aide-alimentaire"),
        ("je peux plus payer mon loyer", "fsl-loyer"),
        ("je dois refaire ma carte d identite", "carte-identite-passeport"),
        ("ma mere a besoin d'aide a la maison", "apa-aide-domicile"),
        ("je cherche un medecin traitant", "medecin-traitant"),
    ],
)
def test_clear_messages_pick_one_guide(message: str, expected: str) -> None:
    found = resolve(message, LIBRARY)
    assert found.kind == "one" and found.guides[0].id == expected


@pytest.mark.parametrize(
    "message,competing",
    [
        ("ma mutuelle coûte trop cher", {"complementaire-sante-solidaire", "mutuelle-communale"}),
        ("la CAF m'a coupé", {"rsa", "aides-logement", "prime-activite"}),
        ("j'ai plus d'argent", {"rsa", "prime-activite", "aide-alimentaire"}),
    ],
)
def test_vague_messages_offer_a_short_choice(message: str, competing: set[str]) -> None:
    found = resolve(message, LIBRARY)
    assert found.kind == "choose" and {g.id for g in found.guides} == competing


def test_an_entity_naming_a_guide_wins_over_the_text() -> None:
    assert resolve("euh je sais pas", LIBRARY, entity="aspa").guides[0].id == "aspa"
    assert resolve("bonjour", LIBRARY).kind == "none"

"""Guards for the facts corrected on 2026-12-07: each test fails if the old wrong text comes back.

Sources for each point are in docs/guide-sources.md. The texts checked are everything a
resident can read from a guide: its pages, the simpler wordings, the papers, the glossary.
"""
from __future__ import annotations

import pytest

from actions.common.text import fold
from actions.guides.falc import COMMON_ACRONYMS, acronyms, is_expanded
from actions.guides.library import Guide, load_glossary, load_library
from actions.guides.stepper import pages

LIBRARY = load_library()


def texts(guide: Guide) -> str:
    parts = [*pages(guide), *(s.simpler for s in guide.steps), *guide.documents, guide.label]
    return "\n".join(parts)


def everything() -> str:
    return "\n".join([*(texts(g) for g in LIBRARY.values()), *(t.explanation for t in load_glossary())])


def test_rsa_recipients_are_not_told_they_have_nothing_to_do() -> None:
    for guide_id in ("france-travail", "rsa"):
        assert "rien à faire" not in texts(LIBRARY[guide_id]), guide_id
    for guide_id in ("france-travail", "rsa"):
        body = texts(LIBRARY[guide_id])
        assert "contrat d'engagement" in body and "15 heures" in body, guide_id


def test_rsa_and_france_travail_say_the_allowance_can_be_cut() -> None:
    assert "suspendre" in texts(LIBRARY["rsa"])
    assert "s'arrêter pour un temps" in texts(LIBRARY["france-travail"])


def test_c2s_is_named_and_never_free_without_its_condition() -> None:
    guide = LIBRARY["complementaire-sante-solidaire"]
    assert "(C2S)" in guide.title
    assert "gratuit" not in fold(texts(guide))
    assert "Santé gratuite" not in guide.label
    assert "1 € par jour" in texts(guide)
    assert "RSA" in texts(guide) and "ASPA" in texts(guide)
    for term in load_glossary():
        if term.id in ("css", "c2s"):
            assert "gratuite ou coûte peu" not in term.explanation
            assert "Selon vos revenus" in term.explanation


def test_cheque_energie_says_to_apply_online_and_warns_about_scams() -> None:
    body = texts(LIBRARY["cheque-energie"])
    assert "arrive par courrier" not in body or "demande" in body
    assert "chequeenergie.gouv.fr" in body and "date limite" in body
    assert "0 805 204 805" in body
    assert "arnaque" in body


def test_missing_rules_are_there() -> None:
    assert "5 ans" in texts(LIBRARY["prime-activite"])
    assert "100 000 €" in texts(LIBRARY["aspa"])
    assert "1er octobre 2023" in texts(LIBRARY["handicap"])
    fsl = texts(LIBRARY["fsl-loyer"])
    assert "1er novembre au 31 mars" in fsl and "(ADIL)" in fsl
    assert "PMI (protection maternelle et infantile)" in texts(LIBRARY["parentalite"])
    assert "CSAPA" in texts(LIBRARY["addictions"])
    assert "associations agréées" in texts(LIBRARY["domiciliation"])


@pytest.mark.parametrize(
    "phrase",
    [
        "Beaux-Arts est gratuit",
        "Musée des Beaux-Arts est gratuit",
        "vivent seules",
        "Vous habitez à Chambéry",
        "doit ouvrir en",
        "Parcours Lab",
        "bibliothèque voyageuse",
        "Santé gratuite",
        "La demande est gratuite",
    ],
)
def test_unsourced_or_stale_phrases_are_gone_everywhere(phrase: str) -> None:
    assert fold(phrase) not in fold(everything())


def test_conseiller_numerique_and_france_services_are_not_called_free() -> None:
    body = texts(LIBRARY["aide-demarches-en-ligne"])
    for sentence in body.replace("\n", " ").split("."):
        if "gratuit" in sentence:
            assert "Aidants Connect" in sentence, sentence


def test_aidants_connect_is_presented_as_a_state_service() -> None:
    assert "service de l'État" in texts(LIBRARY["aide-demarches-en-ligne"])


def test_addictions_guide_promises_no_local_adviser() -> None:
    assert "conseiller" not in texts(LIBRARY["addictions"]).lower()


@pytest.mark.parametrize("guide_id", sorted(LIBRARY), ids=str)
def test_every_acronym_is_spelled_out_on_first_use(guide_id: str) -> None:
    """In reading order (pages, then the papers), the first text with an acronym expands it."""
    guide = LIBRARY[guide_id]
    seen: set[str] = set()
    for text in [*pages(guide), *guide.documents]:
        for acronym in sorted(acronyms(text) - COMMON_ACRONYMS - seen):
            assert is_expanded(acronym, text), f"{guide_id}: {acronym} first used without its meaning in {text!r}"
            seen.add(acronym)
    for acronym in acronyms(guide.label) - COMMON_ACRONYMS:  # a button names one thing, spelled out in the title
        assert is_expanded(acronym, guide.title), f"{guide_id}: button label {guide.label!r}"

"""Content truth: the catalogue says only what the City's page says (re-check of 2026-12-07).

Source: https://www.chambery.fr/361-solidarites.htm (text in docs/guide-sources.md,
"Catalogue"). Each test guards one fix: it fails if the old, unsourced text comes back.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import pytest
import yaml

from actions.catalogue.needs import understand
from actions.catalogue.search import search

CATALOGUE = Path(__file__).parents[2] / "data" / "catalogue"
CITY_PAGE = "https://www.chambery.fr/361-solidarites.htm"
CHECKED_ON = "2026-12-07"
AT = datetime(2026, 12, 7, 10, 0)
# Records re-written against the City's page on CHECKED_ON.
REVISED_SERVICES = (
    "ccas-residences-autonomie", "ccas-portage-de-repas", "ccas-transport-a-la-demande",
    "parcours-lab", "plan-addictions", "bibliotheque-voyageuse", "mediavue",
    "musee-des-beaux-arts-gratuit", "lieu-ressources-parentalite",
)
REVISED_STRUCTURES = ("dynamo", "musee-des-beaux-arts")


def _records(name: str, key: str) -> dict[str, dict]:
    data = yaml.safe_load((CATALOGUE / name).read_text(encoding="utf-8"))
    return {r["id"]: {**data.get("defaults", {}), **r} for r in data[key]}


SERVICES = _records("services.yml", "services")
STRUCTURES = _records("structures.yml", "structures")


def _text(record: dict) -> str:
    """Everything a resident reads of a record, lower-cased, on one line."""
    parts = [record.get(k) or "" for k in ("nom", "description", "frais_precisions", "conditions_acces")]
    return re.sub(r"\s+", " ", " ".join(parts)).lower()


def _all_texts() -> list[tuple[str, str]]:
    return [(f"service {i}", _text(r)) for i, r in SERVICES.items()] + [
        (f"structure {i}", _text(r)) for i, r in STRUCTURES.items()
    ]


def test_residences_autonomie_are_not_said_to_be_for_people_living_alone():
    text = _text(SERVICES["ccas-residences-autonomie"])
    assert "vivent seul" not in text and "vit seul" not in text
    # The City's page: "résidences autonomie ... confort, sécurité et lien social au quotidien".
    assert "autonomes" in text and "lien social" in text


def test_museum_is_not_said_to_be_free():
    service = SERVICES["musee-des-beaux-arts-gratuit"]  # id kept: links use it
    for origin, text in _all_texts():
        assert "beaux-arts est gratuite" not in text, origin
        assert "gratuité de ce musée" not in text, origin
    assert service["nom"] != "Musée des Beaux-Arts gratuit"
    assert service.get("frais") != "gratuit"
    # The City's page: "vote de certaines gratuité comme au Musée des Beaux-Arts".
    assert "certaines gratuités" in _text(service)
    assert "certaines gratuités" in _text(STRUCTURES["musee-des-beaux-arts"])


def test_parentalite_has_no_stale_opening_date():
    service = SERVICES["lieu-ressources-parentalite"]
    text = _text(service)
    assert "doit ouvrir" not in text and "en 2026" not in text
    # The City's page: "un Appel à Manifestation d'Intérêt visant à ouvrir ... un lieu ressources".
    assert "appel à projets" in text
    assert "demandez au ccas" in text
    assert service.get("x_statut") in ("projet", "a-verifier")


def test_addictions_promise_no_adviser():
    for origin, text in _all_texts():
        assert "parlez-en à un conseiller" not in text, origin
        assert "être orienté" not in text, origin


def test_bibliotheque_voyageuse_says_only_what_the_page_says():
    text = _text(SERVICES["bibliotheque-voyageuse"])
    # The City's page only: "services itinérants (exemple : la bibliothèque voyageuse)".
    assert "itinérant" in text
    assert "apporte des livres" not in text
    assert "ne peuvent pas venir" not in text


def test_parcours_lab_is_marked_ended_and_told_in_the_past():
    service = SERVICES["parcours-lab"]  # kept so links by id still resolve
    assert service["x_statut"] == "termine"
    text = _text(service)
    assert "terminé" in text
    assert "il était prévu" not in text
    assert not re.search(r"\b(accompagne|conduit) les personnes\b", text)
    dynamo = _text(STRUCTURES["dynamo"])
    assert "y conduit aussi" not in dynamo and "terminé" in dynamo


@pytest.mark.parametrize("phrase", [
    "parcours lab", "apprendre le numerique pour trouver un emploi",
    "formation informatique pour trouver du travail", "insertion numerique emploi",
])
def test_parcours_lab_is_never_offered(sqlite_seeded, phrase):
    result = search(understand(phrase), engine=sqlite_seeded, limit=10, at=AT)
    assert "parcours-lab" not in [hit.service.id for hit in result.hits]


def test_no_future_tense_for_a_past_date():
    """A year already past (or the current one, now in December) is never told as to come."""
    future = re.compile(r"\b(doit|doivent|va|vont|devrait|devraient) (ouvrir|commencer|démarrer)"
                        r"|\bsera\b|\bseront\b|\bil était prévu\b|\bprévu (en|pour) (20\d\d)")
    for origin, text in _all_texts():
        for match in future.finditer(text):
            pytest.fail(f"{origin}: future or planned wording {match.group(0)!r}")


def test_no_unsourced_gratuit_and_no_invented_residence_condition():
    # Only one "free" is on the City's page for a service: the parentalité place,
    # "une offre de services gratuite". Every other "gratuit" claim is unsourced.
    sourced_free = {"lieu-ressources-parentalite"}
    for sid, record in SERVICES.items():
        if sid in sourced_free:
            continue
        assert record.get("frais") != "gratuit", sid
        assert "gratuit" not in _text(record).replace("certaines gratuités", ""), sid
    for origin, text in _all_texts():
        assert "vous habitez à chambéry" not in text, origin
        assert "si vous habitez" not in text, origin


def test_transport_invents_no_condition():
    text = _text(SERVICES["ccas-transport-a-la-demande"])
    assert "difficile de le faire seul" not in text
    assert "demandez au ccas" in text


def test_revised_records_keep_their_source_and_check_date():
    for sid in REVISED_SERVICES:
        record = SERVICES[sid]
        assert record["x_source_url"] == CITY_PAGE, sid
        assert str(record["date_maj"]) == CHECKED_ON, sid
    for sid in REVISED_STRUCTURES:
        record = STRUCTURES[sid]
        assert record["x_source_url"] == CITY_PAGE, sid
        assert str(record["date_maj"]) == CHECKED_ON, sid
    assert date.fromisoformat(CHECKED_ON) <= date(2026, 12, 7)

"""Search filters as a resident experiences them: neighbourhood, open now / on a day, free."""
from __future__ import annotations

from datetime import datetime

import pytest

from actions.catalogue.importer import import_records
from actions.catalogue.needs import understand
from actions.catalogue.search import search
from tests.catalogue.records import service, structure

TUESDAY_10H = datetime(2026, 11, 24, 10, 0)
TUESDAY_LUNCH = datetime(2026, 11, 24, 12, 30)
CHRISTMAS = datetime(2026, 12, 25, 10, 0)


@pytest.fixture
def food_places(seeded_engine):
    """Two imported food services with known hours, in two neighbourhoods, one free."""
    rows = [
        ("t", 1, structure(id="s-biollay", x_quartiers=["biollay"],
                           horaires_accueil="Mo-Fr 09:00-12:00,14:00-17:00; PH off")),
        ("t", 2, structure(id="s-hauts", x_quartiers=["hauts-de-chambery"],
                           horaires_accueil="Sa 09:00-12:00")),
        ("t", 3, service(id="epicerie-biollay", structure_id="s-biollay", nom="Épicerie du Biollay",
                         frais="payant")),
        ("t", 4, service(id="repas-hauts", structure_id="s-hauts", nom="Repas partagé des Hauts",
                         frais="gratuit")),
    ]
    import_records(rows, engine=seeded_engine)
    return seeded_engine


def ids(text: str, engine, at: datetime, limit: int = 10) -> list[str]:
    return [h.service.id for h in search(understand(text), engine=engine, limit=limit, at=at).hits]


def test_understands_free_french_needs():
    need = understand("j'ai plus rien a manger au biolay, c'est ouvert samedi ?")
    assert "equipement-et-alimentation--alimentation" in need.thematiques
    assert need.quartier == "biollay"
    assert need.weekday == 5
    assert understand("ma maman a 85 ans").public == "seniors"
    assert understand("c gratuit ?").free_only is True
    assert understand("medcin").thematiques == ("sante",)  # typo tolerated


def test_neighbourhood_keeps_city_wide_and_drops_other_neighbourhoods(food_places):
    found = ids("manger au biollay", food_places, TUESDAY_10H)
    assert found[0] == "epicerie-biollay"
    assert "repas-hauts" not in found
    assert "ccas-portage-de-repas" in found  # city-wide services stay


def test_open_now_drops_closed_places(food_places):
    assert "epicerie-biollay" in ids("manger ouvert maintenant", food_places, TUESDAY_10H)
    assert "epicerie-biollay" not in ids("manger ouvert maintenant", food_places, TUESDAY_LUNCH)
    assert "epicerie-biollay" not in ids("manger ouvert maintenant", food_places, CHRISTMAS)


def test_open_on_saturday(food_places):
    found = ids("manger samedi", food_places, TUESDAY_10H)
    assert "repas-hauts" in found
    assert "epicerie-biollay" not in found
    assert found.index("repas-hauts") < found.index("ccas-portage-de-repas")  # known before unknown


def test_free_only_drops_paying_services(food_places):
    found = ids("manger gratuit", food_places, TUESDAY_10H)
    assert "repas-hauts" in found
    assert "epicerie-biollay" not in found


def test_public_lifts_services_made_for_it(seeded_engine):
    found = ids("ma mere a besoin d'aide pour manger", seeded_engine, TUESDAY_10H, limit=3)
    assert found[0] == "ccas-portage-de-repas"


def test_nonsense_finds_nothing(seeded_engine):
    assert ids("zzzz qwerty", seeded_engine, TUESDAY_10H) == []


def test_paging_has_no_overlap(seeded_engine):
    need = understand("personnes agees")
    first = search(need, engine=seeded_engine, limit=3, offset=0, at=TUESDAY_10H)
    second = search(need, engine=seeded_engine, limit=3, offset=3, at=TUESDAY_10H)
    assert first.has_more
    assert not {h.service.id for h in first.hits} & {h.service.id for h in second.hits}


def test_search_sees_imports_and_changes_at_once(seeded_engine):
    """A conseiller imports or fixes a record: the very next search uses it (no restart)."""
    assert "permanence-test" not in ids("permanence logement", seeded_engine, TUESDAY_10H)
    rows = [("t", 1, structure()),
            ("t", 2, service(id="permanence-test", nom="Permanence logement test",
                             thematiques=["logement-hebergement"]))]
    import_records(rows, engine=seeded_engine)
    assert "permanence-test" in ids("permanence logement", seeded_engine, TUESDAY_10H)
    rows[1][2]["x_statut"] = "termine"
    import_records(rows, engine=seeded_engine)
    assert "permanence-test" not in ids("permanence logement", seeded_engine, TUESDAY_10H)

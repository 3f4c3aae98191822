"""The seed files: the three conseiller numérique places, demo planning clearly marked, idempotent."""
from __future__ import annotations

from pathlib import Path

import yaml
from sqlalchemy import func, select

from actions.booking.models import Conseiller, Motif, OpeningSlot, Place
from actions.booking.seed import catalogue_contacts, seed
from actions.common.db import session_scope

ROOT = Path(__file__).resolve().parents[2]


def test_three_places_linked_to_the_catalogue(db_engine) -> None:
    seed(db_engine, ROOT / "data")
    with session_scope(db_engine) as s:
        places = {p.slug: p for p in s.scalars(select(Place))}
    assert set(places) == {"dynamo", "mediatheque-jean-jacques-rousseau", "ccas"}
    catalogue = yaml.safe_load((ROOT / "data/catalogue/structures.yml").read_text(encoding="utf-8"))
    ids = {s["id"] for s in catalogue["structures"]}
    assert {p.catalogue_structure_id for p in places.values()} <= ids
    assert all(p.source_url.startswith("https://www.chambery.fr/") for p in places.values())


def test_invented_hours_are_marked_as_demonstration(db_engine) -> None:
    seed(db_engine, ROOT / "data")
    with session_scope(db_engine) as s:
        assert all(o.demo for o in s.scalars(select(OpeningSlot)))
        assert all(c.demo for c in s.scalars(select(Conseiller)))
    assert yaml.safe_load((ROOT / "data/booking/conseillers.yml").read_text(encoding="utf-8"))["demo"] is True


def test_seeding_twice_changes_nothing(db_engine) -> None:
    first = seed(db_engine, ROOT / "data")
    second = seed(db_engine, ROOT / "data")
    assert first == second
    with session_scope(db_engine) as s:
        assert s.scalar(select(func.count()).select_from(OpeningSlot)) == first["openings"]
        assert s.scalar(select(func.count()).select_from(Motif)) == first["motifs"] >= 4


def test_address_comes_only_from_a_sourced_catalogue_record(tmp_path) -> None:
    (tmp_path / "catalogue").mkdir()
    (tmp_path / "catalogue/structures.yml").write_text(
        "defaults: {commune: Chambéry}\nstructures:\n"
        "  - {id: a, adresse: '1 rue X', code_postal: '73000', telephone: '04 00 00 00 00'}\n"
        "  - {id: b, adresse: ''}\n", encoding="utf-8")
    found = catalogue_contacts(tmp_path)
    assert found["a"] == ("1 rue X, 73000 Chambéry", "04 00 00 00 00") and found["b"] == ("", "")

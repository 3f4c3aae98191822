"""Load data/booking/*.yml into the appointment book (idempotent: run it after every edit).

Address and phone of a place come from the catalogue structure it points to, so a
fact is written once, with its source, by the catalogue; the booking seed adds none.
Opening hours are demonstration data (``demo: true``) until the city provides its own;
demo conseillers the file no longer lists are retired (inactive, without openings).
"""
from __future__ import annotations

import argparse
import logging
from datetime import time
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from actions.booking.models import Conseiller, Motif, OpeningSlot, Place
from actions.common.db import get_engine, make_engine, session_scope
from actions.common.settings import get_settings

log = logging.getLogger(__name__)


class SeedError(ValueError):
    """The booking seed files are inconsistent (unknown place, bad time...)."""


def _read(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def catalogue_contacts(data_dir: Path) -> dict[str, tuple[str, str]]:
    """structure id → (address, phone) from the catalogue, empty strings when not sourced."""
    path = data_dir / "catalogue" / "structures.yml"
    if not path.exists():
        return {}
    doc = _read(path)
    defaults = doc.get("defaults") or {}
    found: dict[str, tuple[str, str]] = {}
    for record in doc.get("structures") or []:
        merged = {**defaults, **record}
        street = (merged.get("adresse") or "").strip()
        town = " ".join(str(merged.get(k) or "").strip() for k in ("code_postal", "commune")).strip()
        address = f"{street}, {town}" if street and town else street
        found[str(merged.get("id"))] = (address, str(merged.get("telephone") or "").strip())
    return found


def _clock(value: str) -> time:
    try:
        hours, minutes = value.split(":")
        return time(int(hours), int(minutes))
    except ValueError as exc:
        raise SeedError(f"bad time {value!r}") from exc


def load_seed(session: Session, data_dir: Path) -> dict[str, int]:
    """Upsert places, motifs, conseillers and their openings; returns counts."""
    folder = data_dir / "booking"
    contacts = catalogue_contacts(data_dir)
    places_doc = _read(folder / "places.yml")
    places: dict[str, Place] = {}
    for item in places_doc.get("places") or []:
        place = session.scalars(select(Place).where(Place.slug == item["slug"])).first() or Place(slug=item["slug"])
        address, phone = contacts.get(item.get("catalogue_structure_id") or "", ("", ""))
        place.name = item["name"]
        place.catalogue_structure_id = item.get("catalogue_structure_id")
        place.address, place.phone = address, phone
        place.source_url = places_doc.get("source_url", "")
        place.demo = bool(item.get("demo", False))
        session.add(place)
        places[place.slug] = place
    motifs_doc = _read(folder / "motifs.yml")
    for item in motifs_doc.get("motifs") or []:
        motif = session.scalars(select(Motif).where(Motif.slug == item["slug"])).first() or Motif(slug=item["slug"])
        motif.name = item["name"]
        motif.duration_minutes = int(item["duration_minutes"])
        motif.min_delay_minutes = int(item.get("min_delay_minutes", 120))
        motif.max_delay_days = int(item.get("max_delay_days", 60))
        motif.what_to_bring = item.get("what_to_bring", "")
        motif.keywords = ",".join(item.get("keywords") or [])
        motif.places = [places[s] for s in item.get("places") or []]
        session.add(motif)
    session.flush()
    conseillers_doc = _read(folder / "conseillers.yml")
    demo = bool(conseillers_doc.get("demo", False))
    openings = 0
    for item in conseillers_doc.get("conseillers") or []:
        conseiller = session.scalars(select(Conseiller).where(Conseiller.slug == item["slug"])).first()
        conseiller = conseiller or Conseiller(slug=item["slug"])
        conseiller.display_name = item["display_name"]
        conseiller.active = bool(item.get("active", True))
        conseiller.demo = demo
        session.add(conseiller)
        session.flush()
        session.execute(delete(OpeningSlot).where(OpeningSlot.conseiller_id == conseiller.id))
        for slot in item.get("openings") or []:
            if slot["place"] not in places:
                raise SeedError(f"opening at unknown place {slot['place']!r}")
            session.add(OpeningSlot(
                conseiller_id=conseiller.id, place_id=places[slot["place"]].id, weekday=int(slot["weekday"]),
                start_time=_clock(slot["start"]), end_time=_clock(slot["end"]), demo=demo,
            ))
            openings += 1
    _retire_unlisted_demo(session, {item["slug"] for item in conseillers_doc.get("conseillers") or []})
    session.flush()
    counts = {"places": len(places), "motifs": len(motifs_doc.get("motifs") or []),
              "conseillers": len(conseillers_doc.get("conseillers") or []), "openings": openings}
    log.info("booking seed loaded: %s", counts)
    return counts


def _retire_unlisted_demo(session: Session, listed: set[str]) -> None:
    """Demo conseillers an earlier seed loaded but the file no longer lists: inactive, no openings.

    When the city replaces the demo planning with its own, the invented hours must stop
    being offered (their past appointments keep their conseiller row).
    """
    for conseiller in session.scalars(select(Conseiller).where(Conseiller.demo.is_(True))):
        if conseiller.slug not in listed:
            conseiller.active = False
            session.execute(delete(OpeningSlot).where(OpeningSlot.conseiller_id == conseiller.id))
            log.info("demo conseiller %s retired: no longer in conseillers.yml", conseiller.slug)


def seed(engine: Engine | None = None, data_dir: Path | None = None) -> dict[str, int]:
    with session_scope(engine or get_engine()) as session:
        return load_seed(session, data_dir or get_settings().data_dir)


def main() -> None:
    parser = argparse.ArgumentParser(description="Load the booking seed data into the app database.")
    parser.add_argument("--url", help="database URL (default: DATABASE_URL)")
    args = parser.parse_args()
    print(seed(make_engine(args.url) if args.url else None))


if __name__ == "__main__":
    main()

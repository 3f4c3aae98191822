"""Demonstration agenda data: say so to residents, and never run it in production.

data/booking/conseillers.yml (and places.yml, motifs.yml) carry ``demo: true`` while
their hours and motifs are invented for a demo. The seed copies the flag into the
``demo`` columns of places, conseillers and opening slots. This module reads it:

- :func:`is_demo_offer` / :func:`appointment_is_demo`: is this offer or booking made on
  demonstration data? Then the recap, the confirmation and the SMS carry a plain notice
  (:func:`demo_notice`): the appointment is an example, and how to get a real one;
- :func:`agenda_is_demo`: does the agenda in the YAML files say ``demo: true``? (the web
  chat's demo page shows a banner then);
- :func:`refuse_demo_in_production`: with ``SESAME_ENV=production``, starting on demo data
  raises :class:`DemoAgendaInProduction`, whose message tells the operator what to do.

The "how to get a real one" sentence gives a phone only when data/catalogue/contacts.yml
has a sourced one for the place (or a general contact); else it sends to a person.
"""
from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any, Iterable, Mapping

import yaml
from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session, object_session

from actions.booking.models import Appointment, Conseiller, OpeningSlot, Place
from actions.common.db import read_session
from actions.common.settings import get_settings
from actions.core import contacts

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]

#: What a resident reads first, on every channel.
DEMO_NOTICE = "Attention : ce rendez-vous est un exemple (démonstration). Il n'est pas réel."
#: Without a sourced phone: in a conversation (the bot hands over to a person)...
ASK_A_PERSON = "Pour un vrai rendez-vous, demandez à parler à une personne."
#: ... and in an SMS or reminder sent later (the resident writes back to Sésame).
ASK_A_PERSON_LATER = "Pour un vrai rendez-vous, écrivez CONSEILLER à Sésame."
#: The banner of the web chat's demo page while the agenda is demonstration data.
BANNER_TEXT = ("Démonstration : les rendez-vous proposés ici sont des exemples. Ils ne sont pas réels. "
               "Pour un vrai rendez-vous, demandez à parler à une personne.")

#: Files whose ``demo: true`` makes the agenda (who receives, where, when) demonstration data.
AGENDA_FILES = ("booking/conseillers.yml", "booking/places.yml")
#: Every booking file that may carry ``demo: true``; production refuses all of them.
DEMO_FILES = AGENDA_FILES + ("booking/motifs.yml",)
#: Items of each file that may carry their own ``demo: true``.
_ITEMS = {"booking/conseillers.yml": "conseillers", "booking/places.yml": "places", "booking/motifs.yml": "motifs"}

PRODUCTION = "production"
#: GSM-7 characters in one SMS segment: the notice, phone included, should fit in one.
SMS_SEGMENT = 160


class DemoAgendaInProduction(RuntimeError):
    """SESAME_ENV=production but the booking data is demonstration data."""


# --- offers and appointments (database) ---------------------------------------------------------
def is_demo_offer(session: Session, place_id: int, conseiller_id: int) -> bool:
    """True when the place, the conseiller or one of its openings at that place is demonstration data."""
    place_demo = session.scalar(select(Place.demo).where(Place.id == place_id))
    conseiller_demo = session.scalar(select(Conseiller.demo).where(Conseiller.id == conseiller_id))
    slot_demo = session.scalar(select(exists().where(
        OpeningSlot.conseiller_id == conseiller_id, OpeningSlot.place_id == place_id, OpeningSlot.demo.is_(True))))
    return bool(place_demo or conseiller_demo or slot_demo)


def appointment_is_demo(appt: Appointment) -> bool:
    """True when a booked appointment was made on demonstration data (see :func:`is_demo_offer`)."""
    session = object_session(appt)
    if session is None:  # detached: the loaded relations are all we know
        return bool((appt.place and appt.place.demo) or (appt.conseiller and appt.conseiller.demo))
    return is_demo_offer(session, appt.place_id, appt.conseiller_id)


def db_agenda_is_demo(session: Session) -> bool:
    """True when the database still offers demonstration data (a demo place, or an active demo conseiller)."""
    active_demo = select(Conseiller.id).where(Conseiller.active.is_(True), Conseiller.demo.is_(True))
    demo_slot = (select(OpeningSlot.id).join(Conseiller, Conseiller.id == OpeningSlot.conseiller_id)
                 .where(Conseiller.active.is_(True), OpeningSlot.demo.is_(True)))
    return bool(session.scalar(select(or_(
        exists(active_demo), exists(demo_slot), exists().where(Place.demo.is_(True))))))


# --- what residents read -----------------------------------------------------------------------------
def _phone_sentence(structure_id: str | None) -> str:
    """"Pour un vrai rendez-vous, appelez le …" from the nearest sourced phone; "" when none is sourced.

    The contact's name is said when the whole notice still fits one SMS segment.
    """
    with_phone = tuple(c for c in contacts.load_contacts() if c.telephone and c.source_of("telephone"))
    contact = contacts.nearest(structure_id, with_phone)
    if contact is None:
        return ""
    bare = f"Pour un vrai rendez-vous, appelez le {contacts.format_phone(contact.telephone)}"
    named = f"{bare} ({contact.nom})."
    return named if len(f"{DEMO_NOTICE} {named}") <= SMS_SEGMENT else bare + "."


def demo_notice(structure_id: str | None = None, later: bool = False) -> str:
    """The notice for a demonstration appointment: it is not real, and how to get a real one.

    ``later`` is for the messages sent after the conversation (SMS, reminder): without a
    sourced phone they say to write CONSEILLER, since nobody is in the conversation then.
    """
    what_to_do = _phone_sentence(structure_id) or (ASK_A_PERSON_LATER if later else ASK_A_PERSON)
    return f"{DEMO_NOTICE} {what_to_do}"


def offer_notice(session: Session, place_id: int, conseiller_id: int) -> str:
    """The notice for this offer in a recap or confirmation; "" when the agenda is real."""
    if not is_demo_offer(session, place_id, conseiller_id):
        return ""
    structure = session.scalar(select(Place.catalogue_structure_id).where(Place.id == place_id))
    return demo_notice(structure)


# --- the YAML files and production ------------------------------------------------------------------
def _read(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def demo_files(data_dir: Path | None = None, files: Iterable[str] = DEMO_FILES) -> list[Path]:
    """The booking files that say ``demo: true`` (for the whole file or for one of their items)."""
    data_dir = _data_dir(data_dir)
    found = []
    for name in files:
        doc = _read(data_dir / name)
        items = doc.get(_ITEMS.get(name, "")) or []
        if doc.get("demo") or any(isinstance(i, dict) and i.get("demo") for i in items):
            found.append(data_dir / name)
    return found


def agenda_is_demo(data_dir: Path | None = None) -> bool:
    """True while conseillers.yml or places.yml says ``demo: true`` (the agenda is invented)."""
    return bool(demo_files(data_dir, AGENDA_FILES))


def _data_dir(data_dir: Path | None, env: Mapping[str, str] | None = None) -> Path:
    if data_dir is not None:
        return Path(data_dir)
    if env is not None:
        return Path(env.get("SESAME_DATA_DIR") or ROOT / "data")
    return get_settings().data_dir


def is_production(env: Mapping[str, str] | None = None) -> bool:
    """SESAME_ENV=production (any case)."""
    env = os.environ if env is None else env
    return (env.get("SESAME_ENV") or "").strip().lower() == PRODUCTION


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def refuse_demo_in_production(env: Mapping[str, str] | None = None, data_dir: Path | None = None,
                              engine: Any = None) -> None:
    """Raise :class:`DemoAgendaInProduction` when SESAME_ENV=production runs on demonstration data.

    Reads the booking YAML files (what the seed loads) and, when ``engine`` is given, the
    database (demo rows an earlier seed left behind). Does nothing outside production.
    """
    if not is_production(env):
        return
    files = demo_files(_data_dir(data_dir, env))
    in_db = False
    if engine is not None:
        try:
            with read_session(engine) as session:
                in_db = db_agenda_is_demo(session)
        except Exception as exc:  # no booking tables yet: the files decide
            log.warning("demo check skipped the database: %s", type(exc).__name__)
    if not files and not in_db:
        return
    where = ", ".join(_shown(p) for p in files) or "the app database (rows seeded from an earlier demo file)"
    raise DemoAgendaInProduction(
        "SESAME_ENV=production, but the booking agenda is demonstration data "
        f"(demo: true in {where}). Residents would book invented appointments. "
        f"Replace {_shown(_data_dir(data_dir, env) / 'booking/conseillers.yml')} (and places.yml, motifs.yml) "
        "with the city's real planning, set demo: false, then run `make seed`. "
        "To run a demonstration instead, unset SESAME_ENV."
    )


__all__ = [
    "ASK_A_PERSON",
    "ASK_A_PERSON_LATER",
    "BANNER_TEXT",
    "DEMO_NOTICE",
    "DemoAgendaInProduction",
    "agenda_is_demo",
    "appointment_is_demo",
    "db_agenda_is_demo",
    "demo_files",
    "demo_notice",
    "is_demo_offer",
    "is_production",
    "offer_notice",
    "refuse_demo_in_production",
]

"""Texts of the messages sent after a booking (SMS-sized, plain French, no resident's number inside).

Every confirmation, reminder and "moved" message says where to go: the place's sourced
address, or, while the catalogue has none, the nearest sourced contact to ask for it.
An appointment booked on demonstration data (actions.booking.demo) ends each of them with
the notice that it is not real, and how to get a real one.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import yaml

from actions.booking.demo import demo_notice
from actions.booking.fmt import when_fr
from actions.common.settings import get_settings
from actions.core import contacts


@dataclass(frozen=True)
class MessageFacts:
    """What a confirmation or reminder mentions."""

    reference: str
    starts_at: datetime
    place_name: str
    place_address: str
    place_phone: str
    what_to_bring: str
    demo: bool = False


@lru_cache(maxsize=2)
def _structure_by_place_name(data_dir: Path) -> dict[str, str]:
    """Booking place name → its catalogue structure id, from data/booking/places.yml."""
    path = data_dir / "booking" / "places.yml"
    if not path.exists():
        return {}
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {str(p.get("name")): str(p.get("catalogue_structure_id") or "") for p in doc.get("places") or []}


def unknown_address_text(place_name: str) -> str:
    """Instead of an unknown address: whom to ask for it, from the sourced contacts only."""
    structure = _structure_by_place_name(get_settings().data_dir).get(place_name)
    own = contacts.contacts_by_id().get(structure or "")
    contact = contacts.nearest(structure)
    site = f" Ou voyez le site : {own.site_web}" if own is not None and own.site_web else ""
    if contact is not None and contact.telephone:
        return f"demandez-la à {contact.nom} au {contacts.format_phone(contact.telephone)}.{site}"
    if contact is not None and contact.adresse:
        return f"demandez-la à {contact.nom} : {contact.adresse}.{site}"
    text = "pour la connaître, écrivez CONSEILLER à Sésame."
    if contact is not None and contact.site_web:
        text += f" Ou voyez le site : {contact.site_web}"
    return text


def address_or_contact(place_name: str, place_address: str) -> str:
    """The place's address, or what to do to get it (never a bare "I don't have it")."""
    return place_address or unknown_address_text(place_name)


def _where(facts: MessageFacts) -> str:
    """The "Lieu : …" sentence(s), punctuation included (a web address ends them bare)."""
    if facts.place_address:
        return f"Lieu : {facts.place_name}, {facts.place_address}."
    text = f"Lieu : {facts.place_name}. Adresse : {unknown_address_text(facts.place_name)}"
    return text if text.endswith(".") or "://" in text.rsplit(" ", 1)[-1] else text + "."


def _demo(facts: MessageFacts) -> str:
    """" Attention : ce rendez-vous est un exemple…" for a demonstration appointment, else ""."""
    if not facts.demo:
        return ""
    structure = _structure_by_place_name(get_settings().data_dir).get(facts.place_name)
    return " " + demo_notice(structure, later=True)


def confirmation_body(facts: MessageFacts) -> str:
    text = (
        f"Sésame : je confirme votre rendez-vous du {when_fr(facts.starts_at)}. {_where(facts)} "
        f"Référence : {facts.reference}."
    )
    if facts.what_to_bring:
        text += f" À apporter : {facts.what_to_bring}."
    text += " Pour changer la date, écrivez DECALER à Sésame. Pour annuler, écrivez ANNULER."
    return text + _demo(facts)


def reminder_body(facts: MessageFacts) -> str:
    return (
        f"Sésame : rappel. Vous avez rendez-vous demain, le {when_fr(facts.starts_at)}. "
        f"{_where(facts)} Référence : {facts.reference}. "
        f"Vous ne pouvez pas venir ? Écrivez DECALER ou ANNULER à Sésame."
    ) + _demo(facts)


def cancellation_body(facts: MessageFacts) -> str:
    return (
        f"Sésame : j'ai annulé votre rendez-vous du {when_fr(facts.starts_at)}. "
        f"Référence : {facts.reference}. Pour un autre rendez-vous, écrivez RDV à Sésame."
    )


def moved_body(facts: MessageFacts) -> str:
    return (
        f"Sésame : j'ai déplacé votre rendez-vous au {when_fr(facts.starts_at)}. "
        f"{_where(facts)} Référence : {facts.reference}. "
        f"Vous ne pouvez pas venir ? Écrivez DECALER ou ANNULER à Sésame."
    ) + _demo(facts)

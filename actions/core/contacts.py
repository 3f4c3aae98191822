"""The human contacts Sésame gives when it cannot help, from a sourced record.

They come from data/catalogue/contacts.yml, where every fact carries the official
page it was taken from. A missing fact is left out of the message, never guessed.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from actions.common.settings import get_settings


@dataclass(frozen=True)
class Contact:
    """A place a resident can call or visit."""

    id: str
    nom: str
    role: str
    telephone: str
    adresse: str
    source: str
    horaires: str = ""
    site_web: str = ""


def format_phone(e164: str) -> str:
    """+33479602020 → 04 79 60 20 20 (how a resident dials it in France)."""
    if e164.startswith("+33") and len(e164) == 12:
        national = "0" + e164[3:]
        return " ".join(national[i : i + 2] for i in range(0, 10, 2))
    return e164


@lru_cache(maxsize=4)
def load_contacts(path: Path | None = None) -> tuple[Contact, ...]:
    """Read the contacts file; an absent file yields no contact (the caller copes)."""
    path = path or get_settings().data_dir / "catalogue" / "contacts.yml"
    if not path.exists():
        return ()
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return tuple(
        Contact(
            id=str(item.get("id", "")),
            nom=str(item.get("nom", "")),
            role=str(item.get("role", "") or ""),
            telephone=str(item.get("telephone", "") or ""),
            adresse=str(item.get("adresse", "") or ""),
            source=str(item.get("source", "") or ""),
            horaires=str(item.get("horaires", "") or ""),
            site_web=str(item.get("site_web", "") or ""),
        )
        for item in raw.get("contacts", [])
    )


def contacts_by_id() -> dict[str, Contact]:
    """The reviewed contacts, by their stable id."""
    return {contact.id: contact for contact in load_contacts()}


def contact_lines(contacts: tuple[Contact, ...], limit: int = 2) -> list[str]:
    """One short sentence per contact that has a sourced phone or address."""
    lines = []
    for contact in contacts:
        if contact.telephone:
            lines.append(f"{contact.nom} : appelez le {format_phone(contact.telephone)}.")
        elif contact.adresse:
            lines.append(f"{contact.nom} : allez au {contact.adresse}.")
        if len(lines) == limit:
            break
    return lines


def human_contact_message(contacts: tuple[Contact, ...] | None = None) -> str:
    """What to tell a resident who needs a person. Never empty, never invented."""
    contacts = load_contacts() if contacts is None else contacts
    lines = contact_lines(contacts)
    if not lines:
        return (
            "Une personne peut vous aider. Allez à l'accueil de la mairie de Chambéry. "
            "Dites que vous avez besoin d'aide pour vos droits."
        )
    return "Une personne peut vous aider.\n" + "\n".join(lines)

"""The human contacts Sésame gives when it cannot help, from a sourced record.

They come from data/catalogue/contacts.yml, where every fact carries the official
page it was taken from. A missing fact is left out of the message, never guessed.

Why the helpers below exist: a resident who needs a person must leave with something
usable (a phone, an address, hours, at least the page that lists them), never with a
bare "go to the town hall". ``nearest`` picks the contact closest to a place (its own
contact first, then the general ones), so a booking without a known address can still
say whom to ask; ``contacts_for`` gives the contacts of a theme in a chosen order.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable

import yaml

from actions.common.phones import national_format
from actions.common.settings import get_settings

# The City's own website: the last resort when no contact at all could be read.
CITY_SITE = "https://www.chambery.fr"
FACTS = ("telephone", "adresse", "horaires", "jours", "quartier", "site_web")


@dataclass(frozen=True)
class Contact:
    """A place a resident can call or visit, with the official page of each fact."""

    id: str
    nom: str
    role: str
    telephone: str
    adresse: str
    source: str
    horaires: str = ""
    jours: str = ""  # the opening days in a few words ("du lundi au vendredi"), from the same source
    site_web: str = ""
    quartier: str = ""
    sources: tuple[tuple[str, str], ...] = ()  # (fact, URL): the page each fact was read on
    date_verification: str = ""
    general: bool = False  # can help anyone, whatever their question
    structures: tuple[str, ...] = ()  # catalogue structures this contact answers for

    def source_of(self, fact: str) -> str:
        """The official page of one fact ("" when the record names none)."""
        return dict(self.sources).get(fact, "")

    @property
    def reachable(self) -> bool:
        """True when a resident can call or go there: a sourced phone or address."""
        return bool(self.telephone or self.adresse)


def format_phone(e164: str) -> str:
    """+33479602020 → 04 79 60 20 20 (how a resident dials it in France), by ``actions.common.phones``."""
    return national_format(e164)


def _text(item: dict, key: str) -> str:
    return str(item.get(key, "") or "").strip()


@lru_cache(maxsize=4)
def load_contacts(path: Path | None = None) -> tuple[Contact, ...]:
    """Read the contacts file; an absent file yields no contact (the caller copes)."""
    path = path or get_settings().data_dir / "catalogue" / "contacts.yml"
    if not path.exists():
        return ()
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return tuple(
        Contact(
            id=_text(item, "id"),
            nom=_text(item, "nom"),
            role=_text(item, "role"),
            telephone=_text(item, "telephone"),
            adresse=_text(item, "adresse"),
            source=_text(item, "source"),
            horaires=_text(item, "horaires"),
            jours=_text(item, "jours"),
            site_web=_text(item, "site_web"),
            quartier=_text(item, "quartier"),
            sources=tuple((str(k), str(v)) for k, v in (item.get("sources") or {}).items() if v),
            date_verification=_text(item, "date_verification"),
            general=bool(item.get("general", False)),
            structures=tuple(str(s) for s in item.get("structures") or ()),
        )
        for item in raw.get("contacts", [])
    )


def contacts_by_id() -> dict[str, Contact]:
    """The reviewed contacts, by their stable id."""
    return {contact.id: contact for contact in load_contacts()}


def contacts_for(ids: Iterable[str], contacts: tuple[Contact, ...] | None = None) -> tuple[Contact, ...]:
    """The contacts of a theme or a page, in the order the caller gives; unknown ids are skipped."""
    known = {c.id: c for c in (load_contacts() if contacts is None else contacts)}
    return tuple(known[i] for i in ids if i in known)


def nearest(structure_id: str | None, contacts: tuple[Contact, ...] | None = None) -> Contact | None:
    """The best contact for a place: its own, else a general one; reachable ones first.

    "Reachable" means a sourced phone or address. Without one, a contact that at least has
    a sourced neighbourhood or web page is returned; None when the file gives nothing.
    """
    contacts = load_contacts() if contacts is None else contacts
    own = [c for c in contacts if structure_id and (c.id == structure_id or structure_id in c.structures)]
    candidates = own + [c for c in contacts if c.general and c not in own]
    for usable in (lambda c: c.reachable, lambda c: bool(c.quartier or c.site_web)):
        found = next((c for c in candidates if usable(c)), None)
        if found:
            return found
    return None


def contact_sentence(contact: Contact) -> str:
    """One short line with every sourced fact of a contact (phone, address, hours, page).

    A web address ends the line without a full stop, so that it stays clickable.
    """
    head = contact.nom  # names already say the neighbourhood ("… des Hauts de Chambéry")
    if contact.telephone:
        head += f" : appelez le {format_phone(contact.telephone)}"
    sentences = [head]
    if contact.adresse:
        sentences.append(f"Adresse : {contact.adresse}")
    if contact.horaires:
        sentences.append(f"Horaires : {contact.horaires}")
    if not contact.reachable:
        sentences.append("Je n'ai pas encore son numéro ni son adresse")
    line = ". ".join(sentences) + "."
    if not contact.reachable and contact.site_web:
        line += f" Plus d'informations : {contact.site_web}"
    return line


def contact_lines(contacts: tuple[Contact, ...], limit: int = 2) -> list[str]:
    """Up to ``limit`` lines: contacts with a sourced phone or address first, then the others."""
    ordered = [c for c in contacts if c.reachable] + [c for c in contacts if not c.reachable]
    return [contact_sentence(c) for c in ordered if c.reachable or c.quartier or c.site_web][:limit]


def _call_line(contact: Contact) -> str:
    """« Appelez X au 04 …, du lundi au vendredi. »: what to do, in one sentence."""
    days = f", {contact.jours}" if contact.jours else ""
    line = f"Appelez {contact.nom} au {format_phone(contact.telephone)}{days}."
    return line + (f" Adresse : {contact.adresse}." if contact.adresse else "")


def human_contact_message(contacts: tuple[Contact, ...] | None = None) -> str:
    """What to tell a resident who needs a person: short, never empty, never invented.

    A sourced phone wins (a general contact's first): one line, the number, the days, the
    address. Without any phone, two lines at most: contacts with a sourced address first;
    general contacts known only by a web page share one line per page, instead of repeating
    "je ne connais pas" for each (a resident reads this on a basic phone).
    """
    contacts = load_contacts() if contacts is None else contacts
    callable_ = [c for c in contacts if c.telephone]
    best = next((c for c in callable_ if c.general), callable_[0] if callable_ else None)
    if best is not None:  # one number to call is what a stressed resident needs: nothing else
        return "Une personne peut vous aider.\n" + _call_line(best)
    lines = [contact_sentence(c) for c in contacts if c.reachable][:2]
    pages: dict[str, list[str]] = {}
    for contact in contacts:
        if contact.general and not contact.reachable and contact.site_web:
            pages.setdefault(contact.site_web, []).append(contact.nom)
    for page, names in pages.items():
        joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " et " + names[-1]
        lines.append(f"{joined} : {page}")
    if not lines:
        return (
            "Une personne peut vous aider à la mairie ou au CCAS de Chambéry. "
            f"Cherchez leur adresse sur le site de la Ville : {CITY_SITE}"
        )
    return "Une personne peut vous aider.\n" + "\n".join(lines[:2])

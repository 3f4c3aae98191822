"""General human contacts (``data/catalogue/contacts.yml``): who to call when we do not know."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import yaml

from actions.catalogue.referentiels import catalogue_dir

DEFAULT_CONTACT = "mairie-chambery"
# Which general contact answers for a structure when one of its facts is unknown.
CONTACT_BY_STRUCTURE = {
    "ccas-chambery": "ccas-chambery",
    "france-services-hauts-de-chambery": "france-services-hauts-de-chambery",
    "france-services-biollay": "france-services-hauts-de-chambery",
}


@dataclass(frozen=True)
class Contact:
    id: str
    nom: str
    role: str
    telephone: str
    adresse: str
    horaires: str
    site_web: str
    source: str


@lru_cache(maxsize=1)
def load_contacts() -> dict[str, Contact]:
    data = yaml.safe_load((catalogue_dir() / "contacts.yml").read_text(encoding="utf-8"))
    fields = Contact.__dataclass_fields__
    return {
        c["id"]: Contact(**{k: str(c.get(k) or "") for k in fields}) for c in data["contacts"]
    }


def contact_for(structure_id: str | None) -> Contact:
    """The general contact to give for a structure (the Mairie when none is more specific)."""
    contacts = load_contacts()
    key = CONTACT_BY_STRUCTURE.get(structure_id or "", DEFAULT_CONTACT)
    return contacts.get(key) or contacts[DEFAULT_CONTACT]


def describe_contact(contact: Contact) -> str:
    """One plain sentence: the contact's name and phone, or what to do without a phone."""
    if contact.telephone:
        return f"Vous pouvez appeler : {contact.nom}, au {contact.telephone}."
    return f"Vous pouvez demander : {contact.nom}, ou un conseiller."

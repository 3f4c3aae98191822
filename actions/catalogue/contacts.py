"""Which general contact answers for a structure when one of its facts is unknown.

The contacts themselves are loaded once, by actions.core.contacts, from the
reviewed data/catalogue/contacts.yml.
"""
from __future__ import annotations

from actions.core.contacts import Contact, contacts_by_id, format_phone

DEFAULT_CONTACT = "mairie-chambery"
CONTACT_BY_STRUCTURE = {
    "ccas-chambery": "ccas-chambery",
    "france-services-hauts-de-chambery": "france-services-hauts-de-chambery",
    "france-services-biollay": "france-services-hauts-de-chambery",
}


def load_contacts() -> dict[str, Contact]:
    """The reviewed contacts by id (kept for the catalogue's callers and tests)."""
    return contacts_by_id()


def contact_for(structure_id: str | None) -> Contact:
    """The general contact to give for a structure (the Mairie when none is more specific)."""
    contacts = contacts_by_id()
    key = CONTACT_BY_STRUCTURE.get(structure_id or "", DEFAULT_CONTACT)
    return contacts.get(key) or contacts[DEFAULT_CONTACT]


def describe_contact(contact: Contact) -> str:
    """One plain sentence: the contact's name and phone, or what to do without a phone."""
    if contact.telephone:
        return f"Vous pouvez appeler : {contact.nom}, au {format_phone(contact.telephone)}."
    return f"Vous pouvez demander : {contact.nom}, ou un conseiller."

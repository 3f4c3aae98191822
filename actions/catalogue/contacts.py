"""Whom a resident asks when a service's own fact (address, hours, phone) is unknown.

One rule for the whole bot: :func:`actions.core.contacts.nearest` (the structure's own
contact when it has a sourced phone or address, else a general one that has). The contacts
are loaded once, by actions.core.contacts, from the reviewed data/catalogue/contacts.yml.
"""
from __future__ import annotations

from actions.core.contacts import Contact, contacts_by_id, format_phone, nearest


def load_contacts() -> dict[str, Contact]:
    """The reviewed contacts by id (kept for the catalogue's callers and tests)."""
    return contacts_by_id()


def contact_for(structure_id: str | None) -> Contact | None:
    """The contact to give for a structure's unknown facts (None when the file gives none)."""
    return nearest(structure_id)


def describe_contact(contact: Contact | None, purpose: str = "Pour en savoir plus") -> str:
    """One plain sentence: whom to call, or how to reach a person when no phone is sourced."""
    if contact is not None and contact.telephone:
        return f"{purpose}, appelez {contact.nom} au {format_phone(contact.telephone)}."
    if contact is not None and contact.adresse:
        return f"{purpose}, allez à {contact.nom} : {contact.adresse}."
    return f"{purpose}, écrivez « parler à une personne »."

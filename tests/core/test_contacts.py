"""Human contact options: sourced facts only, and never an empty answer."""
from pathlib import Path

from actions.core.contacts import Contact, format_phone, human_contact_message, load_contacts


def test_phone_numbers_are_shown_as_residents_dial_them() -> None:
    assert format_phone("+33479602020") == "04 79 60 20 20"


def test_message_lists_only_contacts_with_a_sourced_phone_or_address() -> None:
    known = Contact("a", "CCAS", "", "+33400000000", "", "https://example.org/source")
    unknown = Contact("b", "Autre", "", "", "", "")
    message = human_contact_message((unknown, known))
    assert "CCAS : appelez le 04 00 00 00 00." in message
    assert "Autre" not in message


def test_without_any_sourced_contact_the_resident_still_gets_a_place_to_go() -> None:
    message = human_contact_message(())
    assert "mairie" in message.lower()


def test_every_contact_in_the_reviewed_file_names_its_source() -> None:
    contacts = load_contacts()
    assert contacts, "data/catalogue/contacts.yml lists no contact"
    for contact in contacts:
        if contact.telephone or contact.adresse:
            assert contact.source.startswith("https://"), f"{contact.id} has facts without a source"


def test_missing_contacts_file_is_not_an_error(tmp_path: Path) -> None:
    assert load_contacts(tmp_path / "absent.yml") == ()

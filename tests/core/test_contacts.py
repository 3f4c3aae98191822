"""Human contact options: sourced facts only, and never an empty answer nor a bare "go to the town hall"."""
import re
from datetime import date
from pathlib import Path
from urllib.parse import urlparse

from actions.core.contacts import (
    Contact,
    contacts_for,
    format_phone,
    human_contact_message,
    load_contacts,
    nearest,
)

FACTS = ("telephone", "adresse", "horaires", "jours", "quartier", "site_web")
# Public bodies whose pages may give a contact fact (the City, the State's directories, INA,
# enssib). A newspaper or a document-sharing site is never a source for a fact.
OFFICIAL_HOSTS = ("chambery.fr", "service-public.fr", "service-public.gouv.fr", "gouv.fr", "ina.fr",
                  "enssib.fr")
PHONE = re.compile(r"\b0\d( \d\d){4}\b")

CCAS = Contact("ccas", "CCAS de Test", "", "+33479000001", "1 rue du Test, 73000 Chambéry",
               "https://www.chambery.fr/x", horaires="du lundi au vendredi, de 9 h à 12 h", general=True,
               structures=("ccas-test",))
MAIRIE = Contact("mairie", "Mairie de Test", "", "", "", "https://www.chambery.fr/x",
                 site_web="https://www.chambery.fr", general=True)
DYNAMO = Contact("dynamo", "La Dynamo", "", "", "", "https://www.chambery.fr/x",
                 site_web="http://ladynamo.chambery.fr", structures=("dynamo",))
MEDIA = Contact("media", "Médiathèque de Test", "", "", "Carré Curial, Chambéry", "https://www.chambery.fr/x",
                structures=("mediatheque",))


def official(url: str) -> bool:
    host = urlparse(url).hostname or ""
    return any(host == h or host.endswith("." + h) for h in OFFICIAL_HOSTS)


def test_phone_numbers_are_shown_as_residents_dial_them() -> None:
    assert format_phone("+33479602020") == "04 79 60 20 20"
    assert format_phone("04 79 60 20 20") == "04 79 60 20 20"
    assert format_phone("") == ""


def test_a_resident_gets_the_phone_the_address_and_the_hours_when_they_are_known() -> None:
    ccas = Contact("ccas", "le CCAS de Test", "", "+33479000001", "1 rue du Test, 73000 Chambéry",
                   "https://www.chambery.fr/x", jours="du lundi au vendredi", general=True)
    message = human_contact_message((MAIRIE, ccas))
    assert message.splitlines()[1] == ("Appelez le CCAS de Test au 04 79 00 00 01, du lundi au vendredi. "
                                       "Adresse : 1 rue du Test, 73000 Chambéry.")
    assert "accueil de la mairie" not in message.lower()


def test_a_general_contact_with_a_phone_comes_before_a_place_that_only_helps_some() -> None:
    place = Contact("p", "La Dynamo", "", "+33479000002", "", "https://www.chambery.fr/x")
    general = Contact("g", "France Services de Test", "", "+33479000003", "", "https://www.chambery.fr/x",
                      general=True)
    message = human_contact_message((place, general))
    assert "04 79 00 00 03" in message and "Dynamo" not in message


def test_message_lists_only_contacts_with_something_sourced_to_use() -> None:
    known = Contact("a", "CCAS", "", "+33400000000", "", "https://example.org/source")
    unknown = Contact("b", "Autre", "", "", "", "")
    message = human_contact_message((unknown, known))
    assert "Appelez CCAS au 04 00 00 00 00." in message
    assert "Autre" not in message


def test_contacts_known_only_by_a_page_share_one_short_line() -> None:
    other = Contact("c", "CCAS de Test bis", "", "", "", "https://www.chambery.fr", site_web="https://www.chambery.fr",
                    general=True)
    message = human_contact_message((MAIRIE, other))
    assert "Mairie de Test et CCAS de Test bis : https://www.chambery.fr" in message
    assert "je n'ai pas encore" not in message.lower()  # no stack of "I don't know" lines
    assert message.endswith("https://www.chambery.fr")  # a link, without a full stop glued to it


def test_without_any_sourced_contact_the_resident_still_gets_where_to_look() -> None:
    message = human_contact_message(())
    assert "mairie" in message.lower() and "https://www.chambery.fr" in message
    assert "allez à l'accueil" not in message.lower()


def test_the_real_message_gives_a_sourced_address_and_never_a_bare_town_hall() -> None:
    contacts = load_contacts()
    message = human_contact_message()
    assert "accueil de la mairie" not in message.lower()
    lines = message.splitlines()[1:]
    assert lines, message
    for line in lines:  # each line gives a phone, an address or a page to read
        assert PHONE.search(line) or "Adresse :" in line or "http" in line, line
    addresses = [c.adresse for c in contacts if c.adresse]
    assert any(a in message for a in addresses), "a sourced address is in the file but not in the message"
    assert len(message) <= 2 * 153, "more than two SMS segments for a resident who needs a person"
    phones = [format_phone(c.telephone) for c in contacts if c.telephone and c.general]
    if phones:  # as soon as an official page gives a general contact's phone, residents get it
        assert any(p in message for p in phones)


def test_every_fact_of_the_reviewed_file_names_an_official_page_and_a_check_date() -> None:
    contacts = load_contacts()
    assert {"ccas-chambery", "mairie-chambery", "france-services-hauts-de-chambery",
            "france-services-biollay", "dynamo", "mediatheque-jean-jacques-rousseau"} <= {c.id for c in contacts}
    for contact in contacts:
        assert official(contact.source), f"{contact.id}: source {contact.source!r} is not an official page"
        date.fromisoformat(contact.date_verification)  # raises when missing or malformed
        for fact in FACTS:
            if getattr(contact, fact):
                url = contact.source_of(fact)
                assert url and official(url), f"{contact.id}.{fact} has no official source ({url!r})"
        assert not contact.telephone or re.fullmatch(r"\+33[1-9]\d{8}", contact.telephone), contact.id


def test_nearest_prefers_the_place_own_contact_when_it_can_be_reached() -> None:
    contacts = (MAIRIE, CCAS, MEDIA)
    assert nearest("mediatheque", contacts) == MEDIA
    assert nearest("ccas-test", contacts) == CCAS


def test_nearest_falls_back_to_a_general_contact_that_can_be_reached() -> None:
    contacts = (MAIRIE, CCAS, DYNAMO)
    assert nearest("dynamo", contacts) == CCAS  # La Dynamo has no phone or address: the CCAS has
    assert nearest(None, contacts) == CCAS
    assert nearest("dynamo", (MAIRIE, DYNAMO)) == DYNAMO  # nobody reachable: its own page at least
    assert nearest("unknown", ()) is None


def test_contacts_for_a_theme_keep_the_order_asked() -> None:
    contacts = (MAIRIE, CCAS, DYNAMO)
    assert contacts_for(["dynamo", "nothing", "ccas"], contacts) == (DYNAMO, CCAS)


def test_missing_contacts_file_is_not_an_error(tmp_path: Path) -> None:
    assert load_contacts(tmp_path / "absent.yml") == ()

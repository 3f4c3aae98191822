"""French phone numbers read and written by phonenumbers, in the one module that does it."""
from __future__ import annotations

import pytest

from actions.common import phones

TYPED = ["06 12 34 56 78", "0612345678", "06.12.34.56.78", "06-12-34-56-78", "06/12/34/56/78",
         "+33 6 12 34 56 78", "+33612345678", "0033 6 12 34 56 78", "+33 (0)6 12 34 56 78", "(06) 12 34 56 78",
         "612345678", "33612345678", " 06 12 34 56 78 "]


@pytest.mark.parametrize("typed", TYPED)
def test_every_usual_way_of_typing_a_mobile_gives_e164(typed: str) -> None:
    assert phones.parse_french(typed, mobile_only=True) == "+33612345678"
    assert phones.is_mobile(typed)


def test_a_landline_is_french_but_not_mobile() -> None:
    assert phones.parse_french("04 79 68 58 52") == "+33479685852"
    assert phones.parse_french("04 79 68 58 52", mobile_only=True) is None
    assert not phones.is_mobile("+33479685852")
    with pytest.raises(phones.NotMobile):
        phones.validate_french("04 79 68 58 52", mobile_only=True)


@pytest.mark.parametrize("typed,error", [
    ("06 12 34 56", phones.NotAPhoneNumber), ("061234567890", phones.NotAPhoneNumber),
    ("bonjour", phones.NotAPhoneNumber), ("", phones.NotAPhoneNumber),
    ("07 00 00 00 01", phones.NotAPhoneNumber),  # a range no operator has
    ("+44 7700 900123", phones.NotFrench), ("0812345678", phones.NotMobile),
])
def test_wrong_numbers_are_refused_with_a_named_reason(typed: str, error: type) -> None:
    with pytest.raises(error):
        phones.validate_french(typed, mobile_only=True)
    assert phones.parse_french(typed, mobile_only=True) is None


def test_named_errors_are_value_errors() -> None:
    assert issubclass(phones.NotMobile, phones.InvalidPhoneNumber)
    assert issubclass(phones.InvalidPhoneNumber, ValueError)


def test_a_number_is_found_inside_a_sentence() -> None:
    assert phones.find_french("oui c est le 06 12 34 56 78 merci") == "+33612345678"
    assert phones.find_french("mon numéro est le 06.12.34.56.78, merci", mobile_only=True) == "+33612345678"
    assert phones.find_french("monnumero0612345678") == "+33612345678"
    assert phones.find_french("rappelez le 04 79 60 20 20 ou le 06 12 34 56 78", mobile_only=True) == "+33612345678"
    assert phones.find_french("rappelez le 04 79 60 20 20 ou le 06 12 34 56 78") == "+33479602020"
    for text in ("je sais pas mon numero", "ma référence K7M4QX", "le 12/03/2025 à 10h", "06 12"):
        assert phones.find_french(text) is None


@pytest.mark.parametrize("number,shown", [
    ("+33479685852", "04 79 68 58 52"), ("+33612345678", "06 12 34 56 78"),
    ("04 79 68 58 52", "04 79 68 58 52"), ("+33400000000", "04 00 00 00 00"),  # demo data: formatted all the same
    ("+33800123456", "0 800 12 34 56"), ("+41223456789", "+41 22 345 67 89"),
    ("3230", "3230"), ("voir l'accueil ", "voir l'accueil"), ("", ""),
])
def test_national_format_is_how_residents_dial_it(number: str, shown: str) -> None:
    assert phones.national_format(number) == shown

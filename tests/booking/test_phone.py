"""Phone numbers typed in every usual French way end up in E.164; wrong ones are refused."""
from __future__ import annotations

import pytest

from actions.booking.phone import InvalidPhoneNumber, display_phone, find_phone, normalise_phone


@pytest.mark.parametrize(
    "typed",
    ["06 12 34 56 78", "0612345678", "06.12.34.56.78", "06-12-34-56-78", "+33 6 12 34 56 78",
     "+33612345678", "0033 6 12 34 56 78", "+33 (0)6 12 34 56 78", "612345678", "33612345678"],
)
def test_french_formats_become_e164(typed: str) -> None:
    assert normalise_phone(typed) == "+33612345678"


def test_07_mobiles_are_accepted() -> None:
    assert normalise_phone("07 81 22 33 44") == "+33781223344"


@pytest.mark.parametrize("typed", ["06 12 34 56", "061234567890", "bonjour", "", "+44 7700 900123", "0812345678"])
def test_wrong_numbers_are_refused(typed: str) -> None:
    with pytest.raises(InvalidPhoneNumber):
        normalise_phone(typed)


def test_landline_refused_for_sms_but_accepted_otherwise() -> None:
    with pytest.raises(InvalidPhoneNumber):
        normalise_phone("04 79 60 20 20")
    assert normalise_phone("04 79 60 20 20", mobile_only=False) == "+33479602020"


def test_number_inside_a_sentence() -> None:
    assert find_phone("oui c est le 06 12 34 56 78 merci") == "+33612345678"
    assert find_phone("je sais pas mon numero") is None


def test_display_for_residents() -> None:
    assert display_phone("+33612345678") == "06 12 34 56 78"


def test_the_reason_of_a_refusal_is_named() -> None:
    from actions.booking.phone import NotFrench, NotMobile

    with pytest.raises(NotMobile):
        normalise_phone("04 79 60 20 20")
    with pytest.raises(NotFrench):
        normalise_phone("+44 7700 900123")


def test_a_sentence_given_whole_is_read_like_find_phone() -> None:
    assert normalise_phone("c'est le 06 12 34 56 78") == find_phone("c'est le 06 12 34 56 78") == "+33612345678"

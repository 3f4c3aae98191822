"""French phone numbers, read and written with ``phonenumbers`` (Google's libphonenumber).

The one place the project turns what a resident types ("06 12 34 56 78", "0612345678",
"+33 6 12…", "06.12.34.56.78", "0033 (0)6…") into E.164 ("+33612345678"), and an E.164
number back into the way residents dial it ("04 79 68 58 52"). Every other module calls
this one.

Read with region "FR": a number is kept only when it is a *valid* French number
(``phonenumbers.is_valid_number``: an allocated range, the right length, country code
+33), so "04 00 00 00 00" or "07 00 00 00 01" (ranges no operator has) are refused,
where the former hand-written rule only checked "9 digits after 0". "Mobile" is the
library's type (MOBILE, or FIXED_LINE_OR_MOBILE): 06 and 07 today, following ARCEP's
plan as the library's metadata is updated.
"""
from __future__ import annotations

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberMatcher, PhoneNumberType

REGION = "FR"
COUNTRY_CODE = 33
_MOBILE_TYPES = (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE)


class InvalidPhoneNumber(ValueError):
    """The text is not a French phone number we can use."""


class NotAPhoneNumber(InvalidPhoneNumber):
    """No phone number at all, or one of the wrong length ("06 12 34 56")."""


class NotFrench(InvalidPhoneNumber):
    """A number of another country ("+44 7700 900123")."""


class NotMobile(InvalidPhoneNumber):
    """A French number that cannot receive an SMS (a landline, an 08 number)."""


def _parse(text: str) -> phonenumbers.PhoneNumber:
    try:
        return phonenumbers.parse(text or "", REGION)
    except NumberParseException as error:
        raise NotAPhoneNumber(str(error)) from error


def _checked(number: phonenumbers.PhoneNumber, mobile_only: bool) -> str:
    if number.country_code != COUNTRY_CODE:
        raise NotFrench("not a French number")
    if not phonenumbers.is_valid_number(number):
        raise NotAPhoneNumber("not a valid French number")
    if mobile_only and phonenumbers.number_type(number) not in _MOBILE_TYPES:
        raise NotMobile("not a mobile number")
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def validate_french(text: str, mobile_only: bool = False) -> str:
    """The E.164 form of a French number typed in any usual way; a named InvalidPhoneNumber otherwise."""
    return _checked(_parse(text), mobile_only)


def parse_french(text: str, mobile_only: bool = False) -> str | None:
    """The E.164 form of a French number typed in any usual way, or None."""
    try:
        return validate_french(text, mobile_only)
    except InvalidPhoneNumber:
        return None


def find_french(text: str, mobile_only: bool = False) -> str | None:
    """The first French number inside a sentence ("c'est le 06 12 34 56 78 merci"), or None.

    The matcher runs at POSSIBLE leniency (a number glued to words, "numero0612345678",
    is still found); validity and ``mobile_only`` are then checked as ``parse_french`` does.
    """
    for match in PhoneNumberMatcher(text or "", REGION, leniency=phonenumbers.Leniency.POSSIBLE):
        try:
            return _checked(match.number, mobile_only)
        except InvalidPhoneNumber:
            continue
    return None


def is_mobile(number: str) -> bool:
    """True for a valid French mobile (06, 07), whatever way it is written."""
    return parse_french(number, mobile_only=True) is not None


def national_format(number: str) -> str:
    """``+33479685852`` → ``04 79 68 58 52``, as a resident dials it in France.

    A French number is written in the national format (08 numbers as ARCEP writes them:
    ``0 800 12 34 56``), even when its range is not allocated (demo and test data); a
    valid foreign number in the international format (``+41 22 345 67 89``); anything
    else is given back as it was, trimmed.
    """
    try:
        parsed = phonenumbers.parse(number, REGION)
    except NumberParseException:
        return number.strip()
    if parsed.country_code == COUNTRY_CODE and phonenumbers.is_possible_number(parsed):
        return phonenumbers.format_number(parsed, PhoneNumberFormat.NATIONAL)
    if phonenumbers.is_valid_number(parsed):
        return phonenumbers.format_number(parsed, PhoneNumberFormat.INTERNATIONAL)
    return number.strip()

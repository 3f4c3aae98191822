"""The booking's phone numbers: a mobile by default, since reminders go out by SMS.

Reading and writing French numbers is done once, in ``actions.common.phones`` (the
``phonenumbers`` library); this module keeps the booking's names and its default.
"""
from __future__ import annotations

from actions.common.phones import InvalidPhoneNumber, NotAPhoneNumber, NotFrench, NotMobile  # noqa: F401
from actions.common.phones import find_french, national_format, validate_french


def normalise_phone(text: str, mobile_only: bool = True) -> str:
    """``06 12 34 56 78``, ``0612345678``, ``+33 6 12…``, ``0033 6…``, ``+33 (0)6…`` → ``+33612345678``.

    With ``mobile_only`` (the default: we send SMS reminders) a landline raises InvalidPhoneNumber.
    """
    return validate_french(text, mobile_only=mobile_only)


def find_phone(text: str, mobile_only: bool = True) -> str | None:
    """The first French number found inside a sentence ("c'est le 06 12 34 56 78 merci"), or None."""
    return find_french(text, mobile_only=mobile_only)


def display_phone(e164: str) -> str:
    """``+33612345678`` → ``06 12 34 56 78`` (as French residents read it)."""
    return national_format(e164)

"""French phone numbers as residents type them, normalised to E.164 (+33…)."""
from __future__ import annotations

import re


class InvalidPhoneNumber(ValueError):
    """The text is not a French phone number we can send a message to."""


_SEPARATORS = re.compile(r"[\s.\-/()]+")
_MOBILE_PREFIXES = ("6", "7")


def normalise_phone(text: str, mobile_only: bool = True) -> str:
    """``06 12 34 56 78``, ``0612345678``, ``+33 6 12…``, ``0033 6…``, ``+33 (0)6…`` → ``+33612345678``.

    With ``mobile_only`` (the default: we send SMS reminders) a landline raises InvalidPhoneNumber.
    """
    compact = _SEPARATORS.sub("", text.strip())
    compact = compact.replace("(0)", "")
    if compact.startswith("+33"):
        national = compact[3:]
    elif compact.startswith("0033"):
        national = compact[4:]
    elif compact.startswith("33") and len(compact) == 11:
        national = compact[2:]
    elif compact.startswith("0"):
        national = compact[1:]
    elif len(compact) == 9 and compact.isdigit():
        national = compact
    else:
        raise InvalidPhoneNumber("not a French number")
    if national.startswith("0"):
        national = national[1:]
    if not (national.isdigit() and len(national) == 9) or national[0] == "0":
        raise InvalidPhoneNumber("not a French number of 10 digits")
    if mobile_only and not national.startswith(_MOBILE_PREFIXES):
        raise InvalidPhoneNumber("not a mobile number")
    return "+33" + national


_CANDIDATE = re.compile(r"(?:\+|00)?[\d][\d\s.\-/()]{7,}\d")


def find_phone(text: str, mobile_only: bool = True) -> str | None:
    """The first French number found inside a sentence ("c'est le 06 12 34 56 78 merci"), or None."""
    for match in _CANDIDATE.finditer(text):
        try:
            return normalise_phone(match.group(0), mobile_only=mobile_only)
        except InvalidPhoneNumber:
            continue
    return None


def display_phone(e164: str) -> str:
    """``+33612345678`` → ``06 12 34 56 78`` (as French residents read it)."""
    national = "0" + e164[3:]
    return " ".join(national[i : i + 2] for i in range(0, 10, 2))

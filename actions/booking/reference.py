"""Booking references residents can read aloud and type: no 0/O, no 1/I."""
from __future__ import annotations

import re
import secrets

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
LENGTH = 6
_NOT_ALNUM = re.compile(r"[^0-9A-Z]")


def new_reference() -> str:
    """A random 6-character reference with at least one digit (so it never looks like a word)."""
    while True:
        ref = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
        if any(c.isdigit() for c in ref):
            return ref


def normalise_reference(text: str) -> str | None:
    """The reference inside what was typed ("ref k7m 4qx" → "K7M4QX"), or None.

    Common confusions are repaired: O→0 is impossible, so a typed O or 0 cannot be
    part of a reference, and I/1 likewise; they are reported as not found.
    """
    for token in re.findall(r"[A-Za-z0-9][A-Za-z0-9 \-]{4,10}[A-Za-z0-9]", text.upper()):
        compact = _NOT_ALNUM.sub("", token)
        for start in range(0, max(1, len(compact) - LENGTH + 1)):
            chunk = compact[start : start + LENGTH]
            if len(chunk) == LENGTH and all(c in ALPHABET for c in chunk) and any(c.isdigit() for c in chunk):
                return chunk
    return None

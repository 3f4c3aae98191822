"""Personal data helpers: residents' phone numbers and messages never reach logs in clear."""
from __future__ import annotations

import hashlib
import hmac

from actions.common.settings import get_settings


def pseudonym(value: str) -> str:
    """A stable, salted, non-reversible tag for a phone number or chat id (for logs and joins)."""
    salt = get_settings().hash_salt.encode()
    return "p_" + hmac.new(salt, value.strip().encode(), hashlib.sha256).hexdigest()[:16]


def mask_phone(e164: str) -> str:
    """Show only the last two digits, as a conseiller needs to recognise a number: ``+33 ** ** ** ** 78``."""
    digits = e164.strip()
    return "+33 ** ** ** ** " + digits[-2:] if len(digits) >= 2 else "**"

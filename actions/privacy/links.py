"""The web resident's download link for their data: signed, short-lived, never guessable.

The web chat's conversation id is a random id only the browser knows; the link adds
a signature (itsdangerous, keyed with SESAME_HASH_SALT) and a 15-minute limit, so a
link copied into a log or a history later shows nothing.
"""
from __future__ import annotations

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from actions.common.settings import get_settings

LINK_MINUTES = 15
PATH = "/chat/export"


class ExportLinkInvalid(ValueError):
    """The link was altered, or was never made by Sésame."""


class ExportLinkExpired(ValueError):
    """The link is older than LINK_MINUTES."""


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(get_settings().hash_salt, salt="sesame-privacy-export")


def export_token(conversation_id: str) -> str:
    return _serializer().dumps(conversation_id)


def export_link(conversation_id: str) -> str:
    return f"{get_settings().public_base_url.rstrip('/')}{PATH}?t={export_token(conversation_id)}"


def conversation_of(token: str) -> str:
    """The conversation a token was made for; raises when it is altered or too old."""
    try:
        return str(_serializer().loads(token, max_age=LINK_MINUTES * 60))
    except SignatureExpired as exc:
        raise ExportLinkExpired() from exc
    except BadSignature as exc:
        raise ExportLinkInvalid() from exc

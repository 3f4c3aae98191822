"""SMS provider adapters behind one small interface, so another operator can be plugged in.

``get_provider()`` returns an object with ``send(to_e164, body) -> message id``.
It refuses numbers that sent STOP (:class:`RecipientOptedOut`), for every caller:
the SMS channel (bot/channels/sms.py, Rasa process) and the notification worker
(actions/notifications/, worker process) alike, which is why it lives in messaging/.
"""
from __future__ import annotations

import json
import logging
import threading
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Protocol

import requests

from messaging.state.store import is_opted_out
from actions.common.privacy import pseudonym
from actions.common.settings import get_settings
from messaging.gsm7 import normalise, segment_info

logger = logging.getLogger(__name__)


class SmsProviderError(Exception):
    """The provider did not accept the message."""


class RecipientOptedOut(SmsProviderError):
    """The number sent STOP: nothing may be sent to it until START."""


class ProviderNotConfigured(SmsProviderError):
    """The chosen provider lacks its credentials."""


class SmsProvider(Protocol):
    name: str

    def send(self, to_e164: str, body: str) -> str:
        """Send one SMS, return the provider's message id."""


class LogProvider:
    """Development adapter: appends each SMS to a JSON-lines outbox under var/ (number pseudonymised)."""

    name = "log"

    def __init__(self, outbox: Path | None = None) -> None:
        self.outbox = outbox or get_settings().sms_outbox
        self._lock = threading.Lock()

    def send(self, to_e164: str, body: str) -> str:
        message_id = "log-" + uuid.uuid4().hex[:12]
        info = segment_info(body)
        record = {
            "id": message_id,
            "to": pseudonym(to_e164),
            "body": body,
            "encoding": info.encoding,
            "segments": info.segments,
            "at": datetime.now(timezone.utc).isoformat(),
        }
        self.outbox.parent.mkdir(parents=True, exist_ok=True)
        with self._lock, self.outbox.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        logger.info("SMS %s to %s written to the outbox (%s segments)", message_id, record["to"], info.segments)
        return message_id


class TwilioProvider:
    """Twilio's Messages resource: POST /2010-04-01/Accounts/{Sid}/Messages.json (form, basic auth)."""

    name = "twilio"

    def __init__(self, account_sid: str, auth_token: str, from_number: str, base_url: str) -> None:
        if not (account_sid and auth_token and from_number):
            raise ProviderNotConfigured(
                "Twilio needs TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM_NUMBER"
            )
        self.account_sid, self.auth_token, self.from_number = account_sid, auth_token, from_number
        self.url = f"{base_url}/2010-04-01/Accounts/{account_sid}/Messages.json"

    def send(self, to_e164: str, body: str) -> str:
        try:
            response = requests.post(
                self.url,
                data={"To": to_e164, "From": self.from_number, "Body": body},
                auth=(self.account_sid, self.auth_token),
                timeout=15,
            )
        except requests.RequestException as exc:
            raise SmsProviderError(f"Twilio unreachable: {type(exc).__name__}") from exc
        if response.status_code >= 300:
            try:
                detail = response.json().get("message", "")
            except ValueError:
                detail = ""
            raise SmsProviderError(f"Twilio refused the message: HTTP {response.status_code} {detail}")
        sid = response.json().get("sid", "")
        logger.info("SMS %s to %s accepted by Twilio", sid, pseudonym(to_e164))
        return sid


class OptOutGuard:
    """Wraps any provider: a number that sent STOP receives nothing, and text is folded to GSM-7.

    Folding here means every sender (the channel, the notification worker) pays
    160-character segments instead of 70 for French typography.
    """

    def __init__(self, inner: SmsProvider) -> None:
        self.inner = inner
        self.name = inner.name

    def send(self, to_e164: str, body: str) -> str:
        if is_opted_out(to_e164):
            raise RecipientOptedOut(f"{pseudonym(to_e164)} sent STOP")
        return self.inner.send(to_e164, normalise(body))


def raw_provider(name: str | None = None) -> SmsProvider:
    """The adapter itself, without the opt-out guard (for the STOP confirmation only)."""
    settings = get_settings()
    name = (name or settings.sms_provider).lower()
    if name == "log":
        return LogProvider()
    if name == "twilio":
        return TwilioProvider(
            settings.twilio_account_sid,
            settings.twilio_auth_token,
            settings.twilio_from_number,
            settings.twilio_api_base_url,
        )
    raise ProviderNotConfigured(f"unknown SMS provider {name!r} (expected 'log' or 'twilio')")


def get_provider(name: str | None = None) -> SmsProvider:
    """The configured provider (SMS_PROVIDER: log | twilio), guarded against opted-out numbers."""
    return OptOutGuard(raw_provider(name))

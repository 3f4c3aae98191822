"""Who actually delivers a message, per channel.

SMS goes through the same provider adapter as the SMS channel (``messaging.sms_providers``,
with its opt-out guard). Telegram goes through the Bot API (``messaging.telegram``) when a
token is configured. Anything else, and development,
uses :class:`DevLogSender`, which appends to a log file under var/ with the
recipient pseudonymised, never in clear.
"""
from __future__ import annotations

import asyncio
import json
import threading
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Protocol

from actions.common.privacy import pseudonym
from actions.common.settings import get_settings
from messaging import sms_providers


class SendFailed(Exception):
    """The message could not be delivered now; the worker retries later."""


class RecipientRefused(Exception):
    """The message must never be sent (the resident opted out): no retry."""


class Sender(Protocol):
    def send(self, recipient: str, body: str) -> str:
        """Deliver one message, return the provider's id."""


class DevLogSender:
    """Development: writes the message to var/notifications.log (JSON lines, recipient pseudonymised)."""

    def __init__(self, path: Path | None = None, channel: str = "dev") -> None:
        self.path = path or get_settings().var_dir / "notifications.log"
        self.channel = channel
        self._lock = threading.Lock()

    def send(self, recipient: str, body: str) -> str:
        message_id = "dev-" + uuid.uuid4().hex[:12]
        record = {"id": message_id, "channel": self.channel, "to": pseudonym(recipient), "body": body,
                  "at": datetime.now(timezone.utc).isoformat()}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock, self.path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        return message_id


class SmsSender:
    """SMS through messaging's provider (log in development, Twilio in production)."""

    def __init__(self) -> None:
        self._provider = sms_providers.get_provider()

    def send(self, recipient: str, body: str) -> str:
        try:
            return self._provider.send(recipient, body)
        except sms_providers.RecipientOptedOut as exc:
            raise RecipientRefused("recipient opted out") from exc
        except sms_providers.SmsProviderError as exc:
            raise SendFailed(str(exc)[:200]) from exc


class TelegramSender:
    """A Telegram message to the chat the resident booked from."""

    def __init__(self, token: str) -> None:
        self.token = token

    def send(self, recipient: str, body: str) -> str:
        # Lazy: python-telegram-bot is only needed by the worker, not by the action server that imports this module.
        from messaging.telegram import make_bot

        async def _send() -> str:
            bot = make_bot(self.token)
            async with bot:
                message = await bot.send_message(chat_id=int(recipient), text=body)
            return str(message.message_id)

        try:
            return asyncio.run(_send())
        except Exception as exc:  # network or API error: retry later
            raise SendFailed(type(exc).__name__) from exc


def sender_for(channel: str) -> Sender:
    """The sender for a channel under the current settings."""
    settings = get_settings()
    if channel == "sms":
        return SmsSender()
    if channel == "telegram" and settings.telegram_token:
        return TelegramSender(settings.telegram_token)
    return DevLogSender(channel=channel)

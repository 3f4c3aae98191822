"""Channel tunables not (yet) in actions.common.settings, read from the environment in one place.

Shared settings (provider name, Twilio and Telegram secrets, var dir) come from
``get_settings()``; this adds only what the channels alone need.
"""
from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from pathlib import Path

from actions.common.settings import get_settings


@dataclass(frozen=True)
class ChannelSettings:
    """Limits of every channel, SMS limits, provider endpoints and the Telegram Bot API location.

    The limits (bot/channels/limits.py) never silence an urgent message.
    """

    sms_rate_limit: int
    sms_rate_window: timedelta
    sms_outbox: Path
    twilio_api_base_url: str
    telegram_api_base_url: str
    sms_webhook_url: str
    telegram_webhook_url: str
    # Every channel: longer messages get a kind reply and never reach Rasa.
    max_message_chars: int = 2000
    # HTTP webhooks: a larger body is refused with 413 before it is parsed.
    max_body_bytes: int = 65536
    # REST, Telegram, web chat: messages per sender per window (SMS has its own, above).
    rate_limit: int = 60
    rate_window: timedelta = timedelta(minutes=10)
    # REST and web chat: messages per client IP per window; SMS and Telegram: refused
    # (wrongly signed) requests per IP. Exempt networks: the machine itself by default.
    ip_rate_limit: int = 120
    ip_rate_window: timedelta = timedelta(minutes=1)
    ip_rate_exempt: tuple = ()
    # Urgent messages over a limit still passed to Rasa per window; beyond, the numbers at once.
    urgent_over_limit: int = 10


@lru_cache(maxsize=1)
def get_channel_settings() -> ChannelSettings:
    settings = get_settings()
    return ChannelSettings(
        sms_rate_limit=int(os.environ.get("SMS_RATE_LIMIT", "30")),
        sms_rate_window=timedelta(minutes=int(os.environ.get("SMS_RATE_WINDOW_MINUTES", "60"))),
        sms_outbox=Path(os.environ.get("SMS_OUTBOX", str(settings.var_dir / "sms_outbox.jsonl"))),
        twilio_api_base_url=os.environ.get("TWILIO_API_BASE_URL", "https://api.twilio.com").rstrip("/"),
        telegram_api_base_url=os.environ.get(
            "TELEGRAM_API_BASE_URL", "https://api.telegram.org/bot"
        ),
        # Public URLs as the providers call them (signatures cover the exact URL).
        sms_webhook_url=os.environ.get("SMS_WEBHOOK_URL", ""),
        telegram_webhook_url=os.environ.get("TELEGRAM_WEBHOOK_URL", ""),
        max_message_chars=int(os.environ.get("SESAME_MAX_MESSAGE_CHARS", "2000")),
        max_body_bytes=int(os.environ.get("SESAME_MAX_BODY_BYTES", "65536")),
        rate_limit=int(os.environ.get("SESAME_RATE_LIMIT", "60")),
        rate_window=timedelta(minutes=int(os.environ.get("SESAME_RATE_WINDOW_MINUTES", "10"))),
        ip_rate_limit=int(os.environ.get("SESAME_IP_RATE_LIMIT", "120")),
        ip_rate_window=timedelta(minutes=int(os.environ.get("SESAME_IP_RATE_WINDOW_MINUTES", "1"))),
        ip_rate_exempt=networks(os.environ.get("SESAME_IP_RATE_EXEMPT", "127.0.0.0/8,::1")),
        urgent_over_limit=int(os.environ.get("SESAME_URGENT_OVER_LIMIT", "10")),
    )


def networks(spec: str) -> tuple:
    """'127.0.0.0/8, ::1' → the networks (an empty string: none)."""
    return tuple(ipaddress.ip_network(part.strip(), strict=False) for part in spec.split(",") if part.strip())


def reset_channel_settings_cache() -> None:
    """Forget cached values (tests change the environment)."""
    get_channel_settings.cache_clear()

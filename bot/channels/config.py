"""Channel tunables not (yet) in actions.common.settings, read from the environment in one place.

Shared settings (provider name, Twilio and Telegram secrets, var dir) come from
``get_settings()``; this adds only what the channels alone need.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from pathlib import Path

from actions.common.settings import get_settings


@dataclass(frozen=True)
class ChannelSettings:
    """SMS limits, provider endpoints and the Telegram Bot API location."""

    sms_rate_limit: int
    sms_rate_window: timedelta
    sms_outbox: Path
    twilio_api_base_url: str
    telegram_api_base_url: str
    sms_webhook_url: str
    telegram_webhook_url: str


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
    )


def reset_channel_settings_cache() -> None:
    """Forget cached values (tests change the environment)."""
    get_channel_settings.cache_clear()

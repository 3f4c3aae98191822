"""The Telegram Bot API client, one way for the channel and the worker to build it.

The channel (``bot/channels/telegram.py``) answers residents with it; the worker
(``actions/notifications/senders.py``) sends booking reminders and conseillers' replies.
Both must talk to the same Bot API location (``TELEGRAM_API_BASE_URL``: tests point it at a fake).
"""
from __future__ import annotations

import logging

from telegram import Bot

from actions.common.settings import get_settings

# httpx (PTB's HTTP client) logs every request URL at INFO, and a Bot API URL carries the bot
# token (https://api.telegram.org/bot<token>/sendMessage): whoever builds a Bot here, the
# channel or the worker, keeps those lines out of the logs.
logging.getLogger("httpx").setLevel(logging.WARNING)


def make_bot(token: str, base_url: str | None = None) -> Bot:
    """A PTB Bot talking to the configured Bot API (the real one unless TELEGRAM_API_BASE_URL says otherwise)."""
    return Bot(token, base_url=base_url or get_settings().telegram_api_base_url)

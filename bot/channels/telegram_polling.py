"""Telegram without a public URL: long-poll the Bot API and hand each update to our own webhook.

`python -m bot.channels.telegram_polling` removes any webhook, then loops on
getUpdates and POSTs every update to Rasa's Telegram channel
(``SESAME_RASA_URL``/webhooks/telegram/webhook) with the secret token, so both
modes share one code path for parsing, rendering and answering.
"""
from __future__ import annotations

import argparse
import asyncio
import logging

import aiohttp
from telegram.error import NetworkError, TimedOut

from actions.common.settings import get_settings
from bot.settings import get_bot_settings
from bot.channels.telegram import (
    ALLOWED_UPDATES,
    SECRET_HEADER,
    TelegramNotConfigured,
    publish_commands,
)
from messaging.telegram import make_bot

logger = logging.getLogger(__name__)


async def forward(session: aiohttp.ClientSession, webhook: str, secret: str, update: dict) -> int:
    """Post one update to the webhook, as Telegram would; returns the HTTP status."""
    async with session.post(webhook, json=update, headers={SECRET_HEADER: secret}) as resp:
        return resp.status


async def poll(rasa_url: str, once: bool = False, timeout: int = 30) -> int:
    """Relay updates until stopped (or one batch with ``once``); returns how many were relayed."""
    settings = get_settings()
    if not settings.telegram_token or not settings.telegram_secret:
        raise TelegramNotConfigured("set TELEGRAM_TOKEN and TELEGRAM_SECRET_TOKEN")
    webhook = rasa_url.rstrip("/") + "/webhooks/telegram/webhook"
    relayed, offset = 0, None
    async with make_bot(settings.telegram_token) as bot, aiohttp.ClientSession() as session:
        await bot.delete_webhook()
        await publish_commands(bot)
        while True:
            try:
                updates = await bot.get_updates(offset=offset, timeout=timeout, allowed_updates=ALLOWED_UPDATES)
            except (TimedOut, NetworkError) as exc:
                logger.warning("getUpdates failed (%s), retrying", exc)
                await asyncio.sleep(2)
                continue
            for update in updates:
                status = await forward(session, webhook, settings.telegram_secret, update.to_dict())
                if status >= 300:
                    logger.error("Rasa refused update %s: HTTP %s", update.update_id, status)
                offset = update.update_id + 1
                relayed += 1
            if once:
                if offset is not None:
                    await bot.get_updates(offset=offset, timeout=0)  # confirm the batch to Telegram
                return relayed


def main() -> None:
    parser = argparse.ArgumentParser(description="Relay Telegram updates to Sésame's Rasa server.")
    parser.add_argument("--rasa-url", default=get_bot_settings().polling_rasa_url)
    parser.add_argument("--once", action="store_true", help="relay one batch and stop")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO)
    asyncio.run(poll(args.rasa_url, once=args.once))


if __name__ == "__main__":
    main()

"""The polling runner relays Bot API updates to the webhook, for installations without a public URL."""
from __future__ import annotations

import asyncio
import time

from actions.common.db import get_engine
from actions.common.settings import reset_settings_cache
from bot.settings import reset_bot_settings_cache
from bot.channels.telegram import TelegramInput
from bot.channels.telegram_polling import poll
from tests.channels.fake_bot_api import fake_bot_api
from tests.channels.harness import serve_channel
from tests.channels.test_telegram_webhook import ScriptedAssistant

SECRET = "polling-secret"


def test_polling_relays_updates_and_the_reply_goes_out(sqlite_url, monkeypatch) -> None:
    assistant = ScriptedAssistant()
    with fake_bot_api() as api:
        monkeypatch.setenv("DATABASE_URL", sqlite_url)
        monkeypatch.setenv("TELEGRAM_TOKEN", "123:ABC")
        monkeypatch.setenv("TELEGRAM_SECRET_TOKEN", SECRET)
        monkeypatch.setenv("TELEGRAM_API_BASE_URL", api.base_url)
        for reset in (reset_settings_cache, reset_bot_settings_cache, get_engine.cache_clear):
            reset()
        api.pending_updates.append({"update_id": 500, "message": {
            "message_id": 1, "date": int(time.time()), "chat": {"id": 31337, "type": "private"},
            "from": {"id": 31337, "is_bot": False, "first_name": "Paul"}, "text": "/start"}})
        channel = TelegramInput.from_credentials(None)
        with serve_channel(channel, assistant) as base:
            relayed = asyncio.run(poll(base, once=True, timeout=0))
    for reset in (reset_settings_cache, reset_bot_settings_cache, get_engine.cache_clear):
        reset()
    assert relayed == 1
    assert api.methods()[:3] == ["getMe", "deleteWebhook", "setMyCommands"]
    assert [m.text for m in assistant.received] == ["/greet"]
    assert api.calls_to("sendMessage")[-1]["chat_id"] == "31337"
    assert api.pending_updates == []  # the batch was confirmed with the next offset

"""SMS and Telegram with the real trained model: a Rasa agent behind our channels in a real Sanic server.

The agent calls the stack's real action server. SMS requests are signed exactly
as Twilio signs them; Telegram goes through PTB to a fake Bot API on 127.0.0.1.
"""
from __future__ import annotations

import asyncio
import json
import time

import pytest
import requests

from actions.common.db import get_engine
from actions.common.settings import reset_settings_cache
from messaging import gsm7
from bot.settings import reset_bot_settings_cache
from bot.channels.sms import SmsInput
from bot.channels.telegram import SECRET_HEADER, TelegramInput
from bot.channels.twilio_signature import compute_signature
from tests.channels.fake_bot_api import fake_bot_api
from tests.channels.harness import serve_channel

pytestmark = [pytest.mark.e2e, pytest.mark.rasa]

TOKEN = "e2e-twilio-token"
SECRET = "e2e-telegram-secret"


@pytest.fixture(scope="module")
def agent(trained_model, sesame_stack):
    from rasa.core.agent import Agent
    from rasa.utils.endpoints import EndpointConfig

    return Agent.load(str(trained_model), action_endpoint=EndpointConfig(f"{sesame_stack.actions_url}/webhook"))


@pytest.fixture
def channel_env(sqlite_url, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    monkeypatch.setenv("SMS_PROVIDER", "log")
    monkeypatch.setenv("SMS_OUTBOX", str(tmp_path / "outbox.jsonl"))
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", TOKEN)
    for reset in (reset_settings_cache, reset_bot_settings_cache, get_engine.cache_clear):
        reset()
    yield tmp_path / "outbox.jsonl"
    for reset in (reset_settings_cache, reset_bot_settings_cache, get_engine.cache_clear):
        reset()


def latest_intent(agent, sender_id: str) -> str | None:
    tracker = asyncio.run(agent.tracker_store.retrieve(sender_id))
    return tracker.latest_message.intent.get("name") if tracker and tracker.latest_message else None


def test_sms_conversation_with_the_real_model(agent, channel_env) -> None:
    phone = "+33611223344"
    from messaging.state.store import sms_sender_id

    def sms(url: str, body: str, tamper: bool = False) -> int:
        params = {"From": phone, "To": "+33700000000", "Body": body, "MessageSid": "SM" + "1" * 32}
        signature = compute_signature(TOKEN, url, params.items())
        if tamper:
            params["Body"] = "/ask_human"
        return requests.post(url, data=params, headers={"X-Twilio-Signature": signature}, timeout=60).status_code

    def outbox() -> list[dict]:
        if not channel_env.exists():
            return []
        return [json.loads(line) for line in channel_env.read_text(encoding="utf-8").splitlines()]

    with serve_channel(SmsInput.from_credentials(None), agent.handle_message) as base:
        url = base + "/webhooks/sms/webhook"
        assert sms(url, "bonjour", tamper=True) == 403
        assert asyncio.run(agent.tracker_store.retrieve(sms_sender_id(phone))) is None
        assert outbox() == []

        assert sms(url, "bonjour") == 200
        menu = outbox()[-1]["body"]
        assert "Que voulez-vous faire ?" in menu  # the shorter `channel: sms` variant
        assert menu.endswith("4. Parler à une personne\nRépondez 1, 2, 3 ou 4.")
        assert "/" not in menu

        assert sms(url, "4") == 200
        assert latest_intent(agent, sms_sender_id(phone)) == "ask_human"
        assert len(outbox()) >= 2

        assert sms(url, "STOP") == 200
        count = len(outbox())
        assert sms(url, "bonjour") == 200
        assert len(outbox()) == count
        assert sms(url, "START") == 200
        assert sms(url, "AIDE") == 200
        assert latest_intent(agent, sms_sender_id(phone)) == "help"
    for message in outbox():
        assert message["segments"] <= 2 and gsm7.segment_info(message["body"]).segments <= 2


def test_telegram_button_press_with_the_real_model(agent, channel_env) -> None:
    chat = 990011
    with fake_bot_api() as api:
        channel = TelegramInput("123:E2E", SECRET, base_url=api.base_url)
        with serve_channel(channel, agent.handle_message) as base:
            url = base + "/webhooks/telegram/webhook"
            start = {"update_id": 1, "message": {"message_id": 1, "date": int(time.time()),
                     "chat": {"id": chat, "type": "private"}, "from": {"id": chat, "is_bot": False, "first_name": "A"},
                     "text": "/start"}}
            assert requests.post(url, json=start, headers={SECRET_HEADER: "nope"}, timeout=60).status_code == 403
            assert api.calls_to("sendMessage") == []
            assert requests.post(url, json=start, headers={SECRET_HEADER: SECRET}, timeout=60).status_code == 200
            menu = api.calls_to("sendMessage")[-1]
            buttons = [row[0] for row in menu["reply_markup"]["inline_keyboard"]]
            assert buttons[-1]["text"].endswith("Parler à une personne")
            press = {"update_id": 2, "callback_query": {
                "id": "q1", "from": {"id": chat, "is_bot": False, "first_name": "A"}, "chat_instance": "c",
                "data": buttons[-1]["callback_data"],
                "message": {"message_id": 101, "date": int(time.time()), "chat": {"id": chat, "type": "private"}}}}
            sent_before = len(api.calls_to("sendMessage"))
            assert requests.post(url, json=press, headers={SECRET_HEADER: SECRET}, timeout=60).status_code == 200
            assert api.calls_to("answerCallbackQuery")[-1]["callback_query_id"] == "q1"
            assert latest_intent(agent, str(chat)) == "ask_human"
            assert len(api.calls_to("sendMessage")) > sent_before

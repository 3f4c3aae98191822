"""The Telegram channel end to end: real Sanic webhook, real PTB, a fake Bot API on 127.0.0.1.

Rasa's message handler is a small scripted assistant answering through the
channel's output (the full stack with the trained model is in tests/e2e/).
"""
from __future__ import annotations

import time

import pytest
import requests
from rasa.core.channels.channel import UserMessage

from actions.common.db import get_engine
from actions.common.settings import reset_settings_cache
from bot.channels import texts
from bot.settings import reset_bot_settings_cache
from bot.channels.telegram import SECRET_HEADER, TelegramInput, TelegramNotConfigured
from tests.channels.fake_bot_api import fake_bot_api
from tests.channels.harness import serve_channel

SECRET = "s3cret-token_for-tests"
CHAT = 777001
LONG_PAYLOAD = '/book_appointment{"motif":"' + "demarches-en-ligne-" * 6 + '"}'


class ScriptedAssistant:
    def __init__(self) -> None:
        self.received: list[UserMessage] = []

    async def __call__(self, message: UserMessage) -> None:
        self.received.append(message)
        if message.text == "silence":
            return  # e.g. the action server is down: Rasa sends nothing
        if message.text == "/greet":
            await message.output_channel.send_response(message.sender_id, {
                "text": "Bonjour, je suis Sésame. Que voulez-vous faire ?",
                "buttons": [{"title": "Comprendre mes droits", "payload": "/ask_rights"},
                            {"title": "Aide au numérique", "payload": LONG_PAYLOAD}],
            })
        else:
            await message.output_channel.send_response(message.sender_id, {"text": f"Reçu : {message.text}"})


def _update(update_id: int, **kwargs) -> dict:
    return {"update_id": update_id, **kwargs}


def _message(text: str | None = None, chat_id: int = CHAT, chat_type: str = "private", **extra) -> dict:
    msg = {"message_id": 1, "date": int(time.time()), "chat": {"id": chat_id, "type": chat_type},
           "from": {"id": 5, "is_bot": False, "first_name": "Nadia"}, **extra}
    if text is not None:
        msg["text"] = text
    return msg


@pytest.fixture
def stack(sqlite_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    for reset in (reset_settings_cache, reset_bot_settings_cache, get_engine.cache_clear):
        reset()
    assistant = ScriptedAssistant()
    with fake_bot_api() as api:
        channel = TelegramInput("123:ABC", SECRET, base_url=api.base_url)
        with serve_channel(channel, assistant) as base:
            yield base + "/webhooks/telegram/webhook", api, assistant
    for reset in (reset_settings_cache, reset_bot_settings_cache, get_engine.cache_clear):
        reset()


def post(url: str, update: dict, secret: str | None = SECRET) -> requests.Response:
    headers = {SECRET_HEADER: secret} if secret is not None else {}
    return requests.post(url, json=update, headers=headers, timeout=10)


def test_wrong_or_missing_secret_is_refused_and_nothing_is_sent(stack) -> None:
    url, api, assistant = stack
    assert post(url, _update(1, message=_message("/start")), secret="wrong").status_code == 403
    assert post(url, _update(2, message=_message("/start")), secret=None).status_code == 403
    assert assistant.received == [] and api.calls == []


def test_start_then_button_press_end_to_end(stack) -> None:
    url, api, assistant = stack
    assert post(url, _update(10, message=_message("/start"))).status_code == 200
    assert [m.text for m in assistant.received] == ["/greet"]
    assert assistant.received[0].output_channel.name() == "telegram"
    assert api.calls_to("sendChatAction")[-1] == {"chat_id": str(CHAT), "action": "typing"}
    sent = api.calls_to("sendMessage")[-1]
    assert sent["chat_id"] == str(CHAT)
    assert sent["text"] == "Bonjour, je suis Sésame. Que voulez-vous faire ?"
    keyboard = sent["reply_markup"]["inline_keyboard"]
    assert [row[0]["text"] for row in keyboard] == ["Comprendre mes droits", "Aide au numérique"]
    data = [row[0]["callback_data"] for row in keyboard]
    assert all(len(d.encode()) <= 64 for d in data) and LONG_PAYLOAD not in data

    press = {"id": "cbq-1", "from": {"id": 5, "is_bot": False, "first_name": "Nadia"},
             "chat_instance": "ci", "data": data[1],
             "message": {"message_id": 101, "date": int(time.time()), "chat": {"id": CHAT, "type": "private"},
                         "text": sent["text"]}}
    assert post(url, _update(11, callback_query=press)).status_code == 200
    assert api.calls_to("answerCallbackQuery")[-1]["callback_query_id"] == "cbq-1"
    assert assistant.received[-1].text == LONG_PAYLOAD
    assert api.calls_to("sendMessage")[-1]["text"] == f"Reçu : {LONG_PAYLOAD}"


def test_aide_command_and_plain_text(stack) -> None:
    url, _, assistant = stack
    post(url, _update(20, message=_message("/aide@sesame_test_bot")))
    post(url, _update(21, message=_message("jai besoin daide pour la caf")))
    assert [m.text for m in assistant.received] == ["/help", "jai besoin daide pour la caf"]


def test_unknown_button_is_answered_without_reaching_rasa(stack) -> None:
    url, api, assistant = stack
    press = {"id": "cbq-9", "from": {"id": 5, "is_bot": False, "first_name": "N"}, "chat_instance": "ci",
             "data": "c-unknown", "message": {"message_id": 3, "date": 0, "chat": {"id": CHAT, "type": "private"}}}
    assert post(url, _update(30, callback_query=press)).status_code == 200
    assert api.calls_to("answerCallbackQuery")[-1]["text"] == texts.TELEGRAM_OLD_BUTTON
    assert assistant.received == []


def test_non_text_updates_and_groups_are_handled_without_errors(stack) -> None:
    url, api, assistant = stack
    photo = [{"file_id": "f", "file_unique_id": "u", "width": 1, "height": 1}]
    assert post(url, _update(40, message=_message(photo=photo))).status_code == 200
    assert api.calls_to("sendMessage")[-1]["text"] == texts.TELEGRAM_NOT_TEXT
    assert post(url, _update(41, message=_message("bonjour", chat_id=-100, chat_type="supergroup"))).status_code == 200
    assert post(url, _update(42, message=_message("/start", chat_id=-100, chat_type="group"))).status_code == 200
    assert api.calls_to("sendMessage")[-1] == {"chat_id": "-100", "text": texts.TELEGRAM_GROUP}
    assert post(url, _update(43, edited_message=_message("modifié"))).status_code == 200
    assert post(url, {"update_id": 44}).status_code == 200
    assert post(url, {"garbage": True}).status_code == 200
    assert assistant.received == []


def test_without_credentials_the_channel_is_mounted_but_refuses_everything() -> None:
    assistant = ScriptedAssistant()
    channel = TelegramInput("", "")
    with serve_channel(channel, assistant) as base:
        url = base + "/webhooks/telegram/webhook"
        assert post(url, _update(1, message=_message("/start")), secret="").status_code == 503
    assert assistant.received == []
    with pytest.raises(TelegramNotConfigured):
        channel.get_output_channel()


def test_webhook_mode_registers_the_secret_with_telegram(sqlite_url, monkeypatch) -> None:
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    for reset in (reset_settings_cache, reset_bot_settings_cache, get_engine.cache_clear):
        reset()
    with fake_bot_api() as api:
        channel = TelegramInput("123:ABC", SECRET, webhook_url="https://sesame.example/webhooks/telegram/webhook",
                                base_url=api.base_url)
        with serve_channel(channel, ScriptedAssistant()):
            pass
    registered = api.calls_to("setWebhook")
    assert registered and registered[0]["url"] == "https://sesame.example/webhooks/telegram/webhook"
    assert registered[0]["secret_token"] == SECRET
    assert registered[0]["allowed_updates"] == ["message", "callback_query"]
    menu = api.calls_to("setMyCommands")[0]["commands"]
    assert [c["command"] for c in menu] == ["start", "aide"]
    for reset in (reset_settings_cache, reset_bot_settings_cache, get_engine.cache_clear):
        reset()


def test_a_silent_turn_still_gets_a_kind_answer(stack) -> None:
    url, api, _ = stack
    assert post(url, _update(60, message=_message("silence"))).status_code == 200
    assert api.calls_to("sendMessage")[-1]["text"].startswith("Désolé, je n'ai pas pu répondre.")

"""The human path on a basic phone and on Telegram, through the real stack and the console.

A stack of its own (real Rasa server with the SMS and Telegram channels, action server, web
server with the console, worker) runs with a Twilio auth token, the log SMS provider, and a
Telegram token pointing at a fake Bot API on 127.0.0.1. The resident asks for a person by
signed SMS (or Telegram update), consents; the case is in the console's queue; the conseiller
takes it over and answers; the answer leaves through the worker to the resident's number (the
provider's outbox) or chat (the fake Bot API); while paused Sésame is silent; after hand-back
it answers again.
"""
from __future__ import annotations

import json
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
import requests

from actions.common.db import make_engine, session_scope
from actions.common.text import fold
from actions.handoff.accounts import create_user
from bot.channels.telegram import SECRET_HEADER
from bot.channels.twilio_signature import compute_signature
from tests.channels.fake_bot_api import fake_bot_api
from tests.e2e.test_handoff_console import PASSWORD, Console, wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.rasa]

TWILIO_TOKEN = "e2e-console-twilio-token"
TELEGRAM_TOKEN = "4242:E2E-CONSOLE"
TELEGRAM_SECRET = "e2e-console-secret"
PHONE = "+33633445566"
CHAT = 880066


@pytest.fixture(scope="module")
def channels_stack(trained_model, tmp_path_factory):
    from tools.stack import Stack, free_port

    var = tmp_path_factory.mktemp("sesame-channels")
    with fake_bot_api() as api:
        stack = Stack(model=trained_model, var_dir=var, rasa_port=free_port(), actions_port=free_port(),
                      web_port=free_port(), extra_env={
                          "DATABASE_URL": f"sqlite:///{var / 'sesame.db'}",
                          "TWILIO_AUTH_TOKEN": TWILIO_TOKEN, "SMS_PROVIDER": "log",
                          "SMS_OUTBOX": str(var / "sms.jsonl"), "TELEGRAM_TOKEN": TELEGRAM_TOKEN,
                          "TELEGRAM_SECRET_TOKEN": TELEGRAM_SECRET, "TELEGRAM_API_BASE_URL": api.base_url,
                      })
        stack.start()
        engine = make_engine(stack.env()["DATABASE_URL"])
        with session_scope(engine) as session:
            create_user(session, "karim.e2e", "Karim", PASSWORD, "conseiller", datetime.now(timezone.utc))
        engine.dispose()
        try:
            yield stack, api, var / "sms.jsonl"
        finally:
            stack.stop()


def sms_bodies(outbox: Path) -> list[str]:
    if not outbox.exists():
        return []
    return [json.loads(line)["body"] for line in outbox.read_text(encoding="utf-8").splitlines()]


def test_a_basic_phone_is_answered_by_a_conseiller_from_the_console(channels_stack) -> None:
    stack, _, outbox = channels_stack
    url = f"{stack.rasa_url}/webhooks/sms/webhook"

    def sms(body: str) -> str:
        before = len(sms_bodies(outbox))
        params = {"From": PHONE, "To": "+33700000000", "Body": body, "MessageSid": "SM" + "3" * 32}
        headers = {"X-Twilio-Signature": compute_signature(TWILIO_TOKEN, url, params.items())}
        assert requests.post(url, data=params, headers=headers, timeout=60).status_code == 200
        return fold("\n".join(sms_bodies(outbox)[before:]))

    assert "d'accord ?" in sms("je veux parler a quelqu'un")
    assert "comment voulez-vous" in sms("oui")
    assert "quand etes-vous disponible" in sms("2")  # by SMS: never asked for the number
    done = sms("le matin")
    assert "c'est transmis" in done
    reference = "D-" + done.split("d-", 1)[1][:5].upper()

    console = Console(stack.web_url)
    console.login("karim.e2e")
    case_id = console.case_id_for(reference)
    console.post(case_id, "prendre")
    wait_for(lambda: any("Karim, du CCAS, vous répond" in b for b in sms_bodies(outbox)), what="the notice by SMS")

    assert sms("allo vous etes la ?") == ""  # Sésame is silent: Karim answers
    wait_for(lambda: "allo vous etes la ?" in console.resident_lines(case_id), what="the SMS in the console")
    console.post(case_id, "repondre", body="Bonjour, ici Karim du CCAS. Je vous appelle à 14 h.")
    wait_for(lambda: "Bonjour, ici Karim du CCAS. Je vous appelle à 14 h." in sms_bodies(outbox), what="the reply")

    console.post(case_id, "rendre")
    wait_for(lambda: any("de nouveau avec Sésame" in b for b in sms_bodies(outbox)), what="the hand-back notice")
    assert "sesame" in sms("bonjour")


def test_telegram_is_answered_by_a_conseiller_from_the_console(channels_stack) -> None:
    stack, api, _ = channels_stack
    url = f"{stack.rasa_url}/webhooks/telegram/webhook"
    counter = iter(range(1, 1000))

    def say(text: str) -> str:
        before = len(api.calls_to("sendMessage"))
        update_id = next(counter)
        update = {"update_id": update_id, "message": {
            "message_id": update_id, "date": int(time.time()), "chat": {"id": CHAT, "type": "private"},
            "from": {"id": CHAT, "is_bot": False, "first_name": "R"}, "text": text}}
        assert requests.post(url, json=update, headers={SECRET_HEADER: TELEGRAM_SECRET}, timeout=60).status_code == 200
        return "\n".join(call["text"] for call in api.calls_to("sendMessage")[before:])

    def to_chat() -> list[str]:
        return [call["text"] for call in api.calls_to("sendMessage") if str(call["chat_id"]) == str(CHAT)]

    assert "Êtes-vous d'accord" in say("je voudrais parler a une personne")
    assert "Comment voulez-vous" in say("oui")
    done = say("continuer ici")
    assert "C'est transmis" in done
    reference = "D-" + done.split("D-", 1)[1][:5]

    console = Console(stack.web_url)
    console.login("karim.e2e")
    case_id = console.case_id_for(reference)
    console.post(case_id, "prendre")
    wait_for(lambda: any("Karim, du CCAS, vous répond" in t for t in to_chat()), what="the notice on Telegram")
    assert say("merci") == ""  # Sésame is silent
    console.post(case_id, "repondre", body="Bonjour, ici Karim. Que puis-je faire pour vous ?")
    wait_for(lambda: "Bonjour, ici Karim. Que puis-je faire pour vous ?" in to_chat(), what="the reply")
    console.post(case_id, "fermer", outcome="resolu")
    wait_for(lambda: any("de nouveau avec Sésame" in t for t in to_chat()), what="the closing notice")
    assert "Sésame" in say("bonjour")

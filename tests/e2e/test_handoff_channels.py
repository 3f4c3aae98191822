"""The handoff on a basic phone and on Telegram, with the real model and the real channels.

SMS requests are signed exactly as Twilio signs them; Telegram goes through PTB to a fake Bot
API on 127.0.0.1. The resident answers the handoff form with numbers (SMS) and buttons
(Telegram); a conseiller's reply then leaves through the outbox and the worker, to the
resident's number (the log provider's outbox) or chat (the fake Bot API).
"""
from __future__ import annotations

import json
import time
from datetime import datetime, timezone

import pytest
import requests

from actions.common.db import get_engine, session_scope
from actions.handoff import cases, delivery
from actions.handoff.summary import summarise
from actions.notifications.worker import run_once
from bot.channels.sms import SmsInput
from bot.channels.telegram import SECRET_HEADER, TelegramInput
from bot.channels.twilio_signature import compute_signature
from tests.channels.fake_bot_api import fake_bot_api
from tests.channels.harness import serve_channel
from tests.e2e.test_sms_telegram_agent import SECRET, TOKEN, agent, channel_env  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.e2e, pytest.mark.rasa]


def test_a_basic_phone_reaches_a_person_and_gets_the_reply_by_sms(agent, channel_env) -> None:  # noqa: F811
    phone = "+33622334455"
    from messaging.state.store import sms_sender_id

    def sms(url: str, body: str) -> str:
        params = {"From": phone, "To": "+33700000000", "Body": body, "MessageSid": "SM" + "2" * 32}
        headers = {"X-Twilio-Signature": compute_signature(TOKEN, url, params.items())}
        assert requests.post(url, data=params, headers=headers, timeout=60).status_code == 200
        lines = channel_env.read_text(encoding="utf-8").splitlines() if channel_env.exists() else []
        return json.loads(lines[-1])["body"] if lines else ""

    with serve_channel(SmsInput.from_credentials(None), agent.handle_message) as base:
        url = base + "/webhooks/sms/webhook"
        from actions.common.text import fold

        sms_raw = sms

        def sms(url: str, body: str) -> str:  # noqa: F811 - SMS may drop accents (GSM-7): compare folded
            return fold(sms_raw(url, body))

        consent = sms(url, "je veux parler a un conseiller")
        assert "d'accord ?" in consent and "1. oui" in consent
        contact = sms(url, "1")
        assert "comment voulez-vous" in contact and "2. sms" in contact
        availability = sms(url, "2")  # by SMS: the number is known, it is never asked
        assert "quand etes-vous disponible" in availability
        done = sms(url, "le matin")
        assert "c'est transmis" in done and "d-" in done

    # The conseiller answers; the worker sends it through the SMS provider to the same number.
    now = datetime.now(timezone.utc)
    engine = get_engine()
    with session_scope(engine) as session:
        draft = cases.CaseDraft(sms_sender_id(phone), "sms", summarise([]), "sms", None, "le matin")
        case, _ = cases.create_case(session, draft, now)
        delivery.send_to_resident(session, case, "Nadia", "Bonjour, ici Nadia du CCAS. Je vous écoute.", now)
    assert run_once(engine, now)["sent"] == 1
    last = json.loads(channel_env.read_text(encoding="utf-8").splitlines()[-1])
    assert last["body"] == "Bonjour, ici Nadia du CCAS. Je vous écoute."
    assert "+336" not in json.dumps(last)  # the outbox log holds a pseudonym, never the number


def test_telegram_reaches_a_person_and_gets_the_reply_in_the_chat(agent, channel_env, monkeypatch) -> None:  # noqa: F811
    chat = 770055
    with fake_bot_api() as api:
        monkeypatch.setenv("TELEGRAM_TOKEN", "123:E2E")
        monkeypatch.setenv("TELEGRAM_API_BASE_URL", api.base_url)
        from actions.common.settings import reset_settings_cache
        from bot.settings import reset_bot_settings_cache

        reset_settings_cache()
        reset_bot_settings_cache()
        channel = TelegramInput("123:E2E", SECRET, base_url=api.base_url)

        def say(url: str, text: str, update_id: int) -> str:
            update = {"update_id": update_id, "message": {
                "message_id": update_id, "date": int(time.time()), "chat": {"id": chat, "type": "private"},
                "from": {"id": chat, "is_bot": False, "first_name": "A"}, "text": text}}
            assert requests.post(url, json=update, headers={SECRET_HEADER: SECRET}, timeout=60).status_code == 200
            return api.calls_to("sendMessage")[-1]["text"]

        with serve_channel(channel, agent.handle_message) as base:
            url = base + "/webhooks/telegram/webhook"
            assert "Êtes-vous d'accord" in say(url, "je veux parler a une personne", 1)
            assert "Comment voulez-vous" in say(url, "oui", 2)
            assert "C'est transmis" in say(url, "continuer ici", 3)

        now = datetime.now(timezone.utc)
        engine = get_engine()
        with session_scope(engine) as session:
            case, _ = cases.create_case(session, cases.CaseDraft(str(chat), "telegram", summarise([]), "ici",
                                                                 None, ""), now)
            delivery.send_to_resident(session, case, "Nadia", "Bonjour, ici Nadia du CCAS.", now)
        sent_before = len(api.calls_to("sendMessage"))
        assert run_once(engine, now)["sent"] == 1
        reply = api.calls_to("sendMessage")[sent_before:]
        assert [(str(m["chat_id"]), m["text"]) for m in reply] == [(str(chat), "Bonjour, ici Nadia du CCAS.")]

"""The SMS webhook as Twilio calls it: signed form posts to a real Sanic server.

Rasa's message handler is stood in for by a small scripted assistant that
answers through the output channel Rasa would use, so the test sees exactly what
the channel does with real replies. (The full stack with the trained model is
covered in tests/e2e/test_sms_stack.py.)
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests
from rasa.core.channels.channel import UserMessage

from messaging.state import store
from actions.common.db import get_engine
from actions.common.privacy import pseudonym
from actions.common.settings import reset_settings_cache
from messaging import gsm7
from bot.settings import reset_bot_settings_cache
from bot.channels.sms import SmsInput
from bot.channels.twilio_signature import compute_signature
from tests.channels.harness import serve_channel

TOKEN = "test-auth-token-0123456789"
PHONE = "+33612345678"
MENU = [
    {"title": "Trouver un service", "payload": "/search_service"},
    {"title": "Comprendre mes droits", "payload": "/ask_rights"},
    {"title": "Aide au numérique", "payload": "/book_appointment"},
]


class ScriptedAssistant:
    """Answers like the real domain would: the menu for /help, a fixed reply otherwise."""

    def __init__(self) -> None:
        self.received: list[UserMessage] = []

    async def __call__(self, message: UserMessage) -> None:
        self.received.append(message)
        out = message.output_channel
        if message.text == "/help":
            await out.send_response(message.sender_id, {"text": "Voici ce que je sais faire.", "buttons": list(MENU)})
        elif message.text == "/ask_rights":
            await out.send_response(
                message.sender_id,
                {"text": "Vous voulez connaître vos droits ? Choisissez un thème.", "buttons": [
                    {"title": "Logement", "payload": '/ask_rights{"theme":"logement"}'},
                    {"title": "Santé", "payload": '/ask_rights{"theme":"sante"}'},
                ]},
            )
        elif message.text == "boom":
            raise RuntimeError("policy crashed")
        elif message.text == "silence":
            return  # e.g. the action server is down: Rasa sends nothing
        else:
            await out.send_response(
                message.sender_id,
                {"text": "Ça marche\u00a0: l\u2019accueil du CCAS est ouvert. Vous êtes « bienvenue »."},
            )


@pytest.fixture
def sms_env(db_url, tmp_path, monkeypatch) -> Path:
    """The channel's state in a fresh database, SQLite and PostgreSQL in turn."""
    outbox = tmp_path / "outbox.jsonl"
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("SMS_PROVIDER", "log")
    monkeypatch.setenv("SMS_OUTBOX", str(outbox))
    monkeypatch.setenv("SMS_RATE_LIMIT", "6")
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", TOKEN)
    for reset in (reset_settings_cache, reset_bot_settings_cache, get_engine.cache_clear):
        reset()
    yield outbox
    get_engine().dispose()  # release connections before the test database is dropped
    for reset in (reset_settings_cache, reset_bot_settings_cache, get_engine.cache_clear):
        reset()


@pytest.fixture
def server(sms_env):
    assistant = ScriptedAssistant()
    with serve_channel(SmsInput.from_credentials(None), assistant) as base:
        yield base + "/webhooks/sms/webhook", assistant, sms_env


def post(url: str, body: str, phone: str = PHONE, token: str = TOKEN, tamper: bool = False) -> requests.Response:
    params = {"MessageSid": "SM" + "0" * 32, "AccountSid": "AC" + "1" * 32, "From": phone,
              "To": "+33700000000", "Body": body, "NumMedia": "0"}
    signature = compute_signature(token, url, params.items())
    if tamper:
        params["Body"] = body + " (modifié)"
    return requests.post(url, data=params, headers={"X-Twilio-Signature": signature}, timeout=10)


def sent(outbox: Path) -> list[dict]:
    if not outbox.exists():
        return []
    return [json.loads(line) for line in outbox.read_text(encoding="utf-8").splitlines()]


def test_signed_request_is_processed_and_answered_in_gsm7(server) -> None:
    url, assistant, outbox = server
    response = post(url, "bonjour")
    assert response.status_code == 200
    assert "<Response>" in response.text
    assert [m.text for m in assistant.received] == ["bonjour"]
    assert assistant.received[0].output_channel.name() == "sms"  # picks `channel: sms` responses
    messages = sent(outbox)
    assert [m["body"] for m in messages] == [
        'Ça marche : l\'accueil du CCAS est ouvert. Vous etes "bienvenue".'
    ]
    assert messages[0]["encoding"] == "GSM-7" and messages[0]["segments"] == 1
    assert messages[0]["to"] == pseudonym(PHONE)
    assert PHONE not in outbox.read_text()
    assert PHONE not in assistant.received[0].sender_id


def test_tampered_request_is_refused_and_nothing_is_processed(server) -> None:
    url, assistant, outbox = server
    assert post(url, "STOP", tamper=True).status_code == 403
    assert post(url, "bonjour", token="not-the-token").status_code == 403
    unsigned = requests.post(url, data={"From": PHONE, "Body": "bonjour"}, timeout=10)
    assert unsigned.status_code == 403
    assert assistant.received == []
    assert sent(outbox) == []
    assert not store.is_opted_out(PHONE)


def test_a_number_answers_the_last_question(server) -> None:
    url, assistant, outbox = server
    post(url, "AIDE")
    assert assistant.received[-1].text == "/help"
    menu_sms = sent(outbox)[-1]["body"]
    assert menu_sms.endswith("1. Trouver un service\n2. Comprendre mes droits\n3. Aide au numérique\nRépondez 1, 2 ou 3.")
    assert "/" not in menu_sms
    post(url, "2")
    assert assistant.received[-1].text == "/ask_rights"
    assert sent(outbox)[-1]["body"].endswith("1. Logement\n2. Santé\nRépondez 1 ou 2.")
    post(url, "2")  # now the second choice of the new question
    assert assistant.received[-1].text == '/ask_rights{"theme":"sante"}'
    post(url, "2")  # the last reply had no choices: "2" is just text
    assert assistant.received[-1].text == "2"


def test_numbers_are_per_resident(server) -> None:
    url, assistant, _ = server
    post(url, "AIDE")
    post(url, "3", phone="+33698765432")
    assert assistant.received[-1].text == "3"


def test_stop_silences_every_message_until_start(server) -> None:
    url, assistant, outbox = server
    post(url, "Arrêt")
    assert sent(outbox)[-1]["body"].startswith("C'est noté. Vous ne recevrez plus de SMS")
    assert store.is_opted_out(PHONE)
    before = len(sent(outbox))
    post(url, "STOP")  # a second STOP gets no second confirmation
    assert post(url, "bonjour").status_code == 200
    assert assistant.received == []  # STOP handled before NLU, later messages never reach Rasa
    assert len(sent(outbox)) == before
    from messaging.sms_providers import RecipientOptedOut, get_provider
    with pytest.raises(RecipientOptedOut):
        get_provider().send(PHONE, "Rappel de rendez-vous")  # the notification worker is stopped too
    post(url, "START")
    assert not store.is_opted_out(PHONE)
    assert "à nouveau" in sent(outbox)[-1]["body"]
    post(url, "bonjour")
    assert [m.text for m in assistant.received] == ["bonjour"]


def test_rate_limit_notifies_once_then_stays_quiet(server) -> None:
    url, assistant, outbox = server
    for i in range(9):
        post(url, f"message {i}")
    assert len(assistant.received) == 6
    notices = [m for m in sent(outbox) if m["body"].startswith("Vous avez envoyé beaucoup")]
    assert len(notices) == 1
    post(url, "bonjour", phone="+33698765432")
    assert len(assistant.received) == 7


def test_a_failing_or_silent_turn_still_answers_kindly(server) -> None:
    url, _, outbox = server
    assert post(url, "boom").status_code == 200
    reply = [m["body"] for m in sent(outbox)]  # one reply, maybe in several SMS
    assert reply[0].startswith("Désolé, je n'ai pas pu répondre.")
    assert "Une personne peut vous aider" in "\n".join(reply)
    count = len(sent(outbox))
    assert post(url, "silence").status_code == 200
    again = [m["body"] for m in sent(outbox)[count:]]
    assert again == reply


def test_accented_replies_are_counted_and_split_like_a_handset(sms_env) -> None:
    text = ("Ça y est\u00a0: votre demande est enregistrée. Le conseiller vous appelle. " * 8).strip()
    raw = gsm7.segment_info(text)
    assert raw.encoding == "UCS-2"
    folded = gsm7.normalise(text)
    assert gsm7.segment_info(folded).encoding == "GSM-7"
    assert gsm7.segment_info(folded).segments < raw.segments


def test_an_empty_message_gets_an_explanation_not_an_error(server) -> None:
    url, assistant, outbox = server
    assert post(url, "  ").status_code == 200
    assert assistant.received == []
    assert sent(outbox)[-1]["body"].startswith("Je lis seulement les messages écrits")


def test_a_reply_outside_the_webhook_reaches_the_number_behind_the_conversation(sms_env) -> None:
    """What happens when a conseiller answers through Rasa's API with output_channel=latest."""
    import asyncio

    from bot.channels.sms import SmsInput as Channel

    sender = store.remember_contact(PHONE, None)
    output = Channel.from_credentials(None).get_output_channel()
    asyncio.run(output.send_response(sender, {"text": "Bonjour, ici Julie du CCAS. Voulez-vous un rappel ?",
                                              "buttons": [{"title": "Oui", "payload": "/affirm"},
                                                          {"title": "Non", "payload": "/deny"}]}))
    assert sent(sms_env)[-1]["body"] == "Bonjour, ici Julie du CCAS. Voulez-vous un rappel ?\n1. Oui\n2. Non\nRépondez 1 ou 2."
    assert [c["payload"] for c in store.last_choices(PHONE)] == ["/affirm", "/deny"]
    asyncio.run(output.send_response("p_unknown", {"text": "perdu"}))
    assert "perdu" not in sms_env.read_text(encoding="utf-8")


@pytest.mark.parametrize("sender", ["+3361234567890123456789", "whatsapp:+33612345678", "Alice", "+33 6 12"])
def test_a_signed_request_whose_from_is_no_phone_number_is_a_400_and_stores_nothing(server, sender) -> None:
    """Signed (so it passed the signature) but not what Twilio sends: a 400 on SQLite and PostgreSQL alike."""
    url, assistant, outbox = server
    response = post(url, "bonjour", phone=sender)
    assert response.status_code == 400 and "phone number" in response.text
    assert assistant.received == [] and sent(outbox) == []
    assert post(url, "STOP", phone=sender).status_code == 400
    assert not store.is_opted_out(sender)

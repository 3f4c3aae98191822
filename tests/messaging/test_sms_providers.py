"""Provider adapters: Twilio's REST API as Twilio receives it, the development outbox, the STOP guard."""
from __future__ import annotations

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest

from messaging.state import store
from actions.common.db import get_engine
from actions.common.settings import reset_settings_cache
from bot.settings import reset_bot_settings_cache
from messaging.sms_providers import (
    LogProvider,
    ProviderNotConfigured,
    RecipientOptedOut,
    SmsProviderError,
    TwilioProvider,
    get_provider,
)

PHONE = "+33612345678"


class FakeTwilio(BaseHTTPRequestHandler):
    calls: list = []
    status = 201

    def do_POST(self) -> None:  # noqa: N802 (http.server API)
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        FakeTwilio.calls.append((self.path, self.headers.get("Authorization"), parse_qs(body)))
        payload = {"sid": "SM" + "a" * 32, "status": "queued"} if self.status == 201 else {
            "code": 21211, "message": "The 'To' number is not a valid phone number."}
        data = json.dumps(payload).encode()
        self.send_response(self.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def fake_twilio():
    FakeTwilio.calls, FakeTwilio.status = [], 201
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeTwilio)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture
def env(sqlite_url, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    monkeypatch.setenv("SMS_OUTBOX", str(tmp_path / "outbox.jsonl"))
    for reset in (reset_settings_cache, reset_bot_settings_cache, get_engine.cache_clear):
        reset()
    yield tmp_path / "outbox.jsonl"
    for reset in (reset_settings_cache, reset_bot_settings_cache, get_engine.cache_clear):
        reset()


def test_twilio_adapter_speaks_the_messages_api(fake_twilio) -> None:
    provider = TwilioProvider("AC" + "1" * 32, "secret", "+33700000000", fake_twilio)
    sid = provider.send(PHONE, "Votre rendez-vous est demain à 10 h.")
    assert sid == "SM" + "a" * 32
    path, auth, form = FakeTwilio.calls[0]
    assert path == f"/2010-04-01/Accounts/AC{'1' * 32}/Messages.json"
    assert auth == "Basic " + base64.b64encode(f"AC{'1' * 32}:secret".encode()).decode()
    assert form == {"To": [PHONE], "From": ["+33700000000"], "Body": ["Votre rendez-vous est demain à 10 h."]}


def test_twilio_refusal_is_a_named_error(fake_twilio) -> None:
    FakeTwilio.status = 400
    provider = TwilioProvider("AC" + "1" * 32, "secret", "+33700000000", fake_twilio)
    with pytest.raises(SmsProviderError, match="not a valid phone number"):
        provider.send("+330", "x")


def test_twilio_without_credentials_is_refused_at_start() -> None:
    with pytest.raises(ProviderNotConfigured):
        TwilioProvider("", "", "", "http://127.0.0.1:9")


def test_log_adapter_writes_the_outbox_with_pseudonymised_numbers(env) -> None:
    message_id = LogProvider().send(PHONE, "Bonjour ç")
    record = json.loads(env.read_text(encoding="utf-8"))
    assert record["id"] == message_id and record["body"] == "Bonjour ç"
    assert record["encoding"] == "UCS-2" and record["segments"] == 1
    assert PHONE not in env.read_text() and "612345678" not in env.read_text()


def test_get_provider_refuses_numbers_that_sent_stop(env) -> None:
    provider = get_provider("log")
    provider.send(PHONE, "Rappel\u00a0: votre rendez-vous à la Maison France Services, c’est demain")
    sent = json.loads(env.read_text(encoding="utf-8"))
    assert sent["body"] == "Rappel : votre rendez-vous à la Maison France Services, c'est demain"
    assert sent["encoding"] == "GSM-7"
    store.opt_out(PHONE, "STOP")
    with pytest.raises(RecipientOptedOut):
        provider.send(PHONE, "Rappel")
    assert len(env.read_text().splitlines()) == 1
    with pytest.raises(ProviderNotConfigured):
        get_provider("carrier-pigeon")

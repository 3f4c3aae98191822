"""Rasa loads our channels from the credentials blocks we propose, and mounts their webhooks."""
from __future__ import annotations

from pathlib import Path

from rasa.core.run import configure_app, create_http_input_channels

from bot.channels.rest import GuardedRestInput
from bot.channels.sms import SmsInput
from bot.channels.socketio import SesameSocketIOInput
from bot.channels.telegram import TelegramInput

CREDENTIALS = Path(__file__).resolve().parents[2] / "credentials.yml"


def test_rasa_builds_and_mounts_every_channel() -> None:
    channels = create_http_input_channels(None, str(CREDENTIALS))
    names = {type(c) for c in channels}
    assert {GuardedRestInput, SesameSocketIOInput, SmsInput, TelegramInput} <= names
    assert next(c for c in channels if isinstance(c, SesameSocketIOInput)).session_persistence is True
    app = configure_app(channels, cors="*", enable_api=False, port=0)
    paths = {route.path for route in app.router.routes}
    for expected in ("webhooks/sms/webhook", "webhooks/telegram/webhook", "webhooks/socketio/", "webhooks/rest/webhook"):
        assert any(p.rstrip("/") == expected.rstrip("/") for p in paths), (expected, sorted(paths))


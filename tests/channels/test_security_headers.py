"""Security headers of the web server and the socket.io origin allow-list, on real servers.

The web server (bot.webchat.server, console mounted under /console/) runs on a free
port; the socket.io channel is Rasa's real one (our SesameSocketIOInput) on Sanic.
"""
from __future__ import annotations

import asyncio
from contextlib import contextmanager
from typing import Iterator

import pytest
import requests

from bot.webchat.security_headers import (
    CONSOLE_CSP,
    content_security_policy,
    frame_ancestors,
    socketio_allowed_origins,
)

RASA_URL = "https://sesame.chambery.example:5005"
WEB_PATHS = ["/", "/static/sesame-chat.js", "/static/sesame-chat.css", "/static/demo.css",
             "/static/vendor/socket.io.min.js", "/healthz", "/nulle-part", "/chat/messages"]
CONSOLE_PATHS = ["/console/connexion", "/console/", "/console/static/console.css", "/console/nulle-part"]


@contextmanager
def web_server(monkeypatch, sqlite_url: str, **env: str) -> Iterator[str]:
    from actions.common import db
    from actions.common.settings import reset_settings_cache
    from bot.settings import reset_bot_settings_cache
    from tests.channels.webchat_stack import serve_web

    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    reset_settings_cache()
    reset_bot_settings_cache()
    db.get_engine.cache_clear()
    try:
        with serve_web(RASA_URL) as base:
            yield base
    finally:
        db.get_engine.cache_clear()
        reset_settings_cache()
        reset_bot_settings_cache()


def get(url: str) -> requests.Response:
    return requests.get(url, timeout=5, allow_redirects=False)


def test_every_web_chat_answer_carries_the_headers(monkeypatch, sqlite_url) -> None:
    monkeypatch.delenv("SESAME_FRAME_ANCESTORS", raising=False)
    with web_server(monkeypatch, sqlite_url) as base:
        responses = {path: get(base + path) for path in WEB_PATHS}
    assert responses["/"].status_code == 200 and responses["/nulle-part"].status_code == 404
    assert responses["/chat/messages"].status_code == 400  # an error answer is covered too
    for path, response in responses.items():
        csp = response.headers["Content-Security-Policy"]
        assert csp == content_security_policy(RASA_URL, "'self'"), path
        assert response.headers["Referrer-Policy"] == "no-referrer", path
        assert response.headers["X-Content-Type-Options"] == "nosniff", path
        assert response.headers["X-Frame-Options"] == "SAMEORIGIN", path
    csp = responses["/"].headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self';" in csp and "'unsafe-inline'" not in csp
    assert "connect-src 'self' https://sesame.chambery.example:5005 wss://sesame.chambery.example:5005;" in csp
    assert "frame-ancestors 'self';" in csp


def test_the_console_cannot_be_framed(monkeypatch, sqlite_url) -> None:
    with web_server(monkeypatch, sqlite_url, SESAME_FRAME_ANCESTORS="https://www.chambery.fr") as base:
        responses = {path: get(base + path) for path in CONSOLE_PATHS}
        page = get(base + "/")
    assert responses["/console/connexion"].status_code == 200
    assert responses["/console/"].status_code == 303
    for path, response in responses.items():
        assert response.headers["Content-Security-Policy"] == CONSOLE_CSP, path
        assert "frame-ancestors 'none'" in CONSOLE_CSP
        assert response.headers["X-Frame-Options"] == "DENY", path
        assert response.headers["Referrer-Policy"] == "no-referrer", path
        assert response.headers["X-Content-Type-Options"] == "nosniff", path
    # The demo page, meanwhile, may be framed by the configured site only.
    assert "frame-ancestors https://www.chambery.fr;" in page.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in page.headers


def test_the_console_policy_is_the_consoles_own() -> None:
    from bot.console.auth import CSP

    assert CONSOLE_CSP == CSP


def test_the_pages_need_no_inline_script_or_style() -> None:
    """The CSP forbids inline code: the pages must not rely on any."""
    import re

    from bot.webchat.server import STATIC_DIR

    templates = STATIC_DIR.parent.parent / "console" / "templates"
    for path in [STATIC_DIR / "index.html", *templates.glob("*.html")]:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), path
        assert "<style" not in text and not re.search(r"\son[a-z]+=", text) and " style=" not in text, path


@pytest.mark.parametrize("value, expected", [
    (None, "'self'"), ("", "'self'"), ("'none'", "'none'"),
    ("'self', https://www.chambery.fr https://*.grandchambery.fr", "'self' https://www.chambery.fr https://*.grandchambery.fr"),
])
def test_frame_ancestors_from_the_environment(value, expected) -> None:
    assert frame_ancestors({} if value is None else {"SESAME_FRAME_ANCESTORS": value}) == expected


@pytest.mark.parametrize("value", ["https://x; script-src *", "'unsafe-inline'", "'none' https://a.fr", "a\nb;"])
def test_a_malformed_frame_ancestors_is_refused(value) -> None:
    with pytest.raises(ValueError, match="SESAME_FRAME_ANCESTORS"):
        frame_ancestors({"SESAME_FRAME_ANCESTORS": value})


# --- socket.io origins ------------------------------------------------------------------

def test_default_origins_are_the_web_servers_own() -> None:
    allowed = socketio_allowed_origins({"SESAME_ENV": "production"})
    assert allowed("http://localhost:8000") and allowed("http://127.0.0.1:8000") and allowed("http://[::1]:8000")
    for refused in ("https://evil.example", "http://localhost:8001", "null", "", None, "http://localhost.evil.example:8000"):
        assert not allowed(refused), refused


def test_configured_origins_and_development_loopback() -> None:
    env = {"SESAME_PUBLIC_URL": "https://sesame.chambery.fr/chat", "SESAME_ALLOWED_ORIGINS": "https://www.chambery.fr, https://grandchambery.fr:443"}
    production = socketio_allowed_origins({**env, "SESAME_ENV": "production"})
    assert production("https://sesame.chambery.fr") and production("https://WWW.chambery.fr")
    assert production("https://grandchambery.fr")
    assert not production("http://www.chambery.fr") and not production("http://localhost:5173")
    development = socketio_allowed_origins(env)
    assert development("http://localhost:5173") and development("http://127.0.0.1:39211")
    assert not development("https://evil.example")
    with pytest.raises(ValueError, match="SESAME_ALLOWED_ORIGINS"):
        socketio_allowed_origins({"SESAME_ALLOWED_ORIGINS": "www.chambery.fr"})


@contextmanager
def socketio_server(monkeypatch, **env: str) -> Iterator[str]:
    from bot.channels.socketio import SesameSocketIOInput
    from tests.channels.harness import serve_channel

    for name in ("SESAME_ENV", "SESAME_PUBLIC_URL", "SESAME_ALLOWED_ORIGINS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    from bot.settings import reset_bot_settings_cache

    reset_bot_settings_cache()

    async def answer(message) -> None:
        await message.output_channel.send_text_message(message.sender_id, "bonjour")

    channel = SesameSocketIOInput.from_credentials({"session_persistence": True})
    with serve_channel(channel, answer) as url:
        yield url


def polling_handshake(url: str, origin: str | None) -> requests.Response:
    headers = {"Origin": origin} if origin else {}
    return requests.get(url + "/socket.io/?EIO=4&transport=polling", headers=headers, timeout=5)


def test_the_socketio_handshake_refuses_an_origin_not_allowed(monkeypatch) -> None:
    with socketio_server(monkeypatch, SESAME_ENV="production", SESAME_PUBLIC_URL="https://sesame.chambery.fr",
                         SESAME_ALLOWED_ORIGINS="https://www.chambery.fr") as url:
        refused = polling_handshake(url, "https://evil.example")
        loopback = polling_handshake(url, "http://127.0.0.1:8000")
        own = polling_handshake(url, "https://sesame.chambery.fr")
        embedder = polling_handshake(url, "https://www.chambery.fr")
        no_origin = polling_handshake(url, None)
    assert refused.status_code == 400 and "not an accepted origin" in refused.text
    assert "Access-Control-Allow-Origin" not in refused.headers
    assert loopback.status_code == 400
    assert own.status_code == 200 and own.text.startswith("0{")  # engine.io "open" packet
    assert own.headers["Access-Control-Allow-Origin"] == "https://sesame.chambery.fr"
    assert embedder.status_code == 200
    assert no_origin.status_code == 200  # not a browser: CORS does not apply


def test_the_websocket_handshake_refuses_an_origin_not_allowed(monkeypatch) -> None:
    """The widget connects over websocket only: the check holds there too, and an allowed origin talks."""
    import json

    import websockets

    async def exchange(ws_url: str, origin: str) -> list[str]:
        async with websockets.connect(ws_url, origin=origin, open_timeout=5) as ws:
            packets = [await asyncio.wait_for(ws.recv(), 5)]  # engine.io "open"
            await ws.send("40")  # socket.io connect, default namespace
            packets.append(await asyncio.wait_for(ws.recv(), 5))
            await ws.send("42" + json.dumps(["session_request", {"session_id": "origin-test"}]))
            await ws.send("42" + json.dumps(["user_uttered", {"message": "salut", "session_id": "origin-test"}]))
            while not any("bot_uttered" in packet for packet in packets):
                packet = await asyncio.wait_for(ws.recv(), 5)
                if packet == "2":
                    await ws.send("3")  # answer the server's ping
                packets.append(packet)
            return packets

    with socketio_server(monkeypatch, SESAME_ENV="production", SESAME_PUBLIC_URL="https://sesame.chambery.fr") as url:
        ws_url = url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
        with pytest.raises(websockets.exceptions.InvalidStatusCode) as refused:
            asyncio.run(exchange(ws_url, "https://evil.example"))
        assert refused.value.status_code == 400
        packets = asyncio.run(exchange(ws_url, "https://sesame.chambery.fr"))
    assert packets[0].startswith("0{") and packets[1].startswith("40")
    assert any("bot_uttered" in packet and "bonjour" in packet for packet in packets)

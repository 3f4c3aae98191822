"""The web process: demo page, one-tag widget with the Rasa URL injected safely, no CDN."""
from __future__ import annotations

import json
import re

import requests

from bot.webchat.security_headers import content_security_policy
from bot.webchat.server import STATIC_DIR
from tests.channels.webchat_stack import serve_web


def test_demo_page_and_widget_carry_the_rasa_url() -> None:
    with serve_web("https://sesame.chambery.example:5005") as base:
        page = requests.get(base + "/", timeout=5)
        widget = requests.get(base + "/static/sesame-chat.js", timeout=5)
        vendor = requests.get(base + "/static/vendor/socket.io.min.js", timeout=5)
        css = requests.get(base + "/static/sesame-chat.css", timeout=5)
        health = requests.get(base + "/healthz", timeout=5)
    assert page.status_code == 200 and 'lang="fr"' in page.text
    assert 'data-rasa-url="https://sesame.chambery.example:5005"' in page.text
    assert "wss://sesame.chambery.example:5005" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert 'var injected = "https://sesame.chambery.example:5005";' in widget.text
    from bot.webchat.server import help_text

    assert help_text().startswith("Une personne peut vous aider.")
    assert f"var contacts = {json.dumps(help_text())};" in widget.text
    assert widget.headers["Content-Type"].startswith("application/javascript")
    assert vendor.status_code == 200 and "Socket.IO v4" in vendor.text[:200]
    assert css.status_code == 200 and health.json() == {"status": "ok"}


def test_a_hostile_rasa_url_cannot_break_out_of_the_page_or_the_script() -> None:
    hostile = 'http://x"></script><script>alert(1)</script>'
    with serve_web(hostile) as base:
        page = requests.get(base + "/", timeout=5).text
        widget = requests.get(base + "/static/sesame-chat.js", timeout=5).text
    assert "<script>alert(1)" not in page
    assert "</script>" not in widget and "<script>" not in widget


def test_no_asset_comes_from_a_cdn() -> None:
    for path in STATIC_DIR.rglob("*"):
        if path.suffix in {".html", ".css"} or path.name == "sesame-chat.js":
            assert not re.search(r"(src|href)=\"https?://", path.read_text(encoding="utf-8")), path


def test_csp_allows_only_our_files_and_the_rasa_origin() -> None:
    csp = content_security_policy("http://localhost:5005")
    assert "script-src 'self';" in csp
    assert "connect-src 'self' http://localhost:5005 ws://localhost:5005;" in csp

"""The web chat in headless Chromium against the full running stack (`make run`'s processes).

Needs credentials.yml to enable bot.channels.socketio.SesameSocketIOInput (see bot/channels/README.md).
"""
from __future__ import annotations

import json
import urllib.request

import pytest

from tests.channels import webchat_checks as checks
from tests.channels.browser import chromium

pytestmark = [pytest.mark.e2e, pytest.mark.rasa, pytest.mark.browser]


@pytest.fixture(scope="module")
def browser():
    with chromium() as running:
        yield running


@pytest.fixture
def page(browser, sesame_stack):
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 800})
    context.add_init_script(checks.SPEECH_RECORDER)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(sesame_stack.web_url + "/")
    yield page
    context.close()
    assert errors == [], f"JavaScript errors: {errors}"


def test_keyboard_only_conversation_with_zero_axe_violations(page) -> None:
    checks.check_log_present_from_load(page)
    checks.check_axe(page, "launcher closed")
    checks.keyboard_conversation(page, "bonjour")
    checks.check_axe(page, "open, after several messages")
    checks.check_component_contrast(page)
    checks.check_focus_unobscured(page)
    checks.check_listen(page)
    checks.screenshot(page, "webchat-e2e.png")
    checks.check_larger_text(page)
    checks.check_axe(page, "larger text")
    checks.check_escape_returns_focus(page)
    checks.check_axe(page, "closed again")


def test_reflow_at_320_px(page) -> None:
    page.evaluate("() => window.SesameChat.open()")
    checks.wait_bot_count(page, 1)
    checks.check_targets_and_reflow(page, 320)
    checks.check_axe(page, "320 px")


def test_reduced_motion(browser, sesame_stack) -> None:
    for reduced in (True, False):
        context = browser.new_context(reduced_motion="reduce" if reduced else "no-preference")
        page = context.new_page()
        page.goto(sesame_stack.web_url + "/")
        checks.check_reduced_motion(page, reduced)
        context.close()


def test_conversation_survives_a_reload(page, sesame_stack) -> None:
    page.evaluate("() => window.SesameChat.open()")
    checks.wait_bot_count(page, 1)
    page.locator("textarea").fill("je veux parler a une vraie personne")
    page.keyboard.press("Enter")
    checks.wait_bot_count(page, 2)
    before = page.locator(".sesame-msg").count()
    session = page.evaluate("() => JSON.parse(localStorage.getItem('sesame-chat-v1')).sessionId")
    page.reload()
    assert page.locator(".sesame-msg").count() == before
    page.locator("textarea").fill("merci")
    page.keyboard.press("Enter")
    page.wait_for_function(f"() => document.querySelectorAll('.sesame-msg').length > {before + 1}", timeout=30_000)
    assert page.evaluate("() => JSON.parse(localStorage.getItem('sesame-chat-v1')).sessionId") == session
    url = f"{sesame_stack.rasa_url}/conversations/{session}/tracker?token={sesame_stack.token}"
    with urllib.request.urlopen(url, timeout=10) as response:
        events = json.loads(response.read())["events"]
    said = [e.get("text") for e in events if e["event"] == "user"]
    assert "je veux parler a une vraie personne" in said and "merci" in said  # one Rasa conversation

"""The web chat in headless Chromium against Rasa's real socket.io channel (scripted answers).

Runs without a trained model; tests/e2e/test_webchat_browser.py repeats the
resident-facing checks against the full stack.
"""
from __future__ import annotations

import pytest

from tests.channels import webchat_checks as checks
from tests.channels.browser import chromium
from tests.channels.webchat_stack import local_webchat_stack

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def stack():
    with local_webchat_stack() as running:
        yield running


@pytest.fixture(scope="module")
def browser():
    with chromium() as running:
        yield running


@pytest.fixture
def page(browser, stack):
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 800})
    context.add_init_script(checks.SPEECH_RECORDER)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(stack.web_url + "/")
    yield page
    context.close()
    assert errors == [], f"JavaScript errors: {errors}"


def test_accessible_closed_open_and_after_messages(page, stack) -> None:
    checks.check_log_present_from_load(page)
    checks.check_axe(page, "launcher closed")
    checks.keyboard_conversation(page, "bonjour, j'ai besoin d'aide")
    checks.check_axe(page, "open, after several messages")
    checks.check_component_contrast(page)
    checks.check_focus_unobscured(page)
    checks.check_larger_text(page)
    checks.check_axe(page, "larger text")
    checks.check_listen(page)
    checks.screenshot(page, "webchat.png")
    checks.check_escape_returns_focus(page)
    checks.check_axe(page, "closed again")
    senders = {sender for sender, _ in stack.assistant.received}
    assert len(senders) == 1  # one conversation, one session id


def test_reflow_at_320_px_with_large_targets(page) -> None:
    page.evaluate("() => window.SesameChat.open()")
    checks.wait_bot_count(page, 1)
    checks.check_targets_and_reflow(page, 640)  # 1280 px at 200 % zoom
    checks.check_targets_and_reflow(page, 320)  # 1280 px at 400 % zoom
    checks.check_focus_unobscured(page)
    checks.check_axe(page, "320 px")
    checks.screenshot(page, "webchat-320px.png")


def test_reduced_motion_is_honoured(browser, stack) -> None:
    for reduced in (True, False):
        context = browser.new_context(reduced_motion="reduce" if reduced else "no-preference")
        page = context.new_page()
        page.goto(stack.web_url + "/")
        checks.check_reduced_motion(page, reduced)
        context.close()


def test_conversation_survives_a_reload(page, stack) -> None:
    page.evaluate("() => window.SesameChat.open()")
    checks.wait_bot_count(page, 1)
    page.locator("textarea").fill("je cherche une aide")
    page.keyboard.press("Enter")
    checks.wait_bot_count(page, 2)
    session = page.evaluate("() => JSON.parse(localStorage.getItem('sesame-chat-v1')).sessionId")
    page.reload()
    assert page.locator(checks.BOT).count() == 2
    assert page.locator(checks.USER).count() == 1
    assert page.locator(".sesame-panel").is_visible()
    page.locator("textarea").fill("et après ?")
    page.keyboard.press("Enter")
    checks.wait_bot_count(page, 3)
    last_sender, last_text = stack.assistant.received[-1]
    assert (last_sender, last_text) == (session, "et après ?")
    assert ("/greet" in [t for s, t in stack.assistant.received if s == session]) is True
    assert [t for s, t in stack.assistant.received if s == session].count("/greet") == 1


def test_bot_html_is_shown_as_text_never_run(page) -> None:
    page.evaluate("() => window.SesameChat.open()")
    checks.wait_bot_count(page, 1)
    page.locator("textarea").fill('<img src=x onerror="window.__pwned=1"><b>gras</b>')
    page.keyboard.press("Enter")
    checks.wait_bot_count(page, 2)
    assert page.locator(".sesame-log img, .sesame-log b").count() == 0
    assert page.evaluate("() => window.__pwned") is None
    assert "<img src=x" in page.locator(checks.BOT).last.inner_text()
    link = page.locator(f"{checks.BOT} a").last
    assert link.get_attribute("href") == "https://www.chambery.fr/"


def test_loading_state_is_written(page) -> None:
    page.evaluate("() => window.SesameChat.open()")
    checks.wait_bot_count(page, 1)
    page.locator("textarea").fill("lentement")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelector('.sesame-status').textContent.includes('écrit une réponse')")
    checks.wait_bot_count(page, 2)
    assert page.locator(".sesame-status").inner_text() == ""
    page.locator("textarea").fill("")
    page.keyboard.press("Enter")
    assert "Écrivez votre message" in page.locator(".sesame-status").inner_text()


def test_clearing_starts_a_new_conversation(page, stack) -> None:
    page.evaluate("() => window.SesameChat.open()")
    checks.wait_bot_count(page, 1)
    first = page.evaluate("() => JSON.parse(localStorage.getItem('sesame-chat-v1')).sessionId")
    page.get_by_role("button", name="Effacer la conversation").click()
    page.wait_for_function(
        "(old) => { const s = JSON.parse(localStorage.getItem('sesame-chat-v1')); return s.sessionId && s.sessionId !== old; }",
        arg=first)
    checks.wait_bot_count(page, 1)
    page.wait_for_timeout(300)
    assert page.locator(checks.BOT).count() == 1  # exactly one new greeting
    second = page.evaluate("() => JSON.parse(localStorage.getItem('sesame-chat-v1')).sessionId")
    assert [t for s, t in stack.assistant.received if s == second] == ["/greet"]


def test_an_expired_conversation_is_announced_not_silently_dropped(browser, stack) -> None:
    context = browser.new_context()
    context.add_init_script(
        "localStorage.setItem('sesame-chat-v1', JSON.stringify({sessionId: 'old', open: false, large: false,"
        " updatedAt: Date.now() - 2 * 3600 * 1000, messages: [{from: 'user', text: 'ancien', choices: []}]}));"
    )
    page = context.new_page()
    page.goto(stack.web_url + "/")
    page.evaluate("() => window.SesameChat.open()")
    assert "effacée après 1 heure" in page.locator(checks.BOT).first.inner_text()
    assert page.locator(checks.USER).count() == 0
    context.close()


def test_a_silent_turn_still_gets_an_answer_with_a_person_to_contact(page) -> None:
    page.evaluate("() => window.SesameChat.open()")
    checks.wait_bot_count(page, 1)
    page.locator("textarea").fill("silence")
    page.keyboard.press("Enter")
    checks.wait_bot_count(page, 2)
    reply = page.locator(f"{checks.BOT} p").last.inner_text()
    assert reply.startswith("Désolé, je n'ai pas pu répondre.") and "Une personne peut vous aider" in reply

"""The console in Debian's headless Chromium: axe-core finds nothing on the login, queue and case
pages, and a conseiller takes over and replies with the keyboard alone."""
from __future__ import annotations

import pytest

from tests.channels.browser import axe_violations, chromium
from tests.console.conftest import PASSWORD, make_case
from tests.console.harness import console_server

pytestmark = pytest.mark.browser


@pytest.fixture
def page(engine, users):
    with console_server(engine) as server, chromium() as browser:
        context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 800})
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.server = server  # type: ignore[attr-defined]
        yield page
        context.close()
        assert errors == [], f"JavaScript errors: {errors}"


def _no_violations(page, when: str) -> None:
    violations = axe_violations(page)
    assert violations == [], f"axe violations ({when}): {violations}"


def _tab_to(page, selector: str, limit: int = 60) -> None:
    """Press Tab until the element matching ``selector`` has the focus."""
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} never got the focus with Tab")


def test_login_queue_and_case_pages_are_accessible_and_usable_with_the_keyboard(page, engine):
    server = page.server
    case_id = make_case(engine, "conv-browser", urgent=True)
    server.rasa.say("conv-browser", "user", "je dors dehors ce soir")
    page.goto(server.url("/console/connexion"))
    _no_violations(page, "login")
    _tab_to(page, "a.skip-link")
    _tab_to(page, "#username")
    page.keyboard.type("nadia")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(server.url("/console/"))
    assert page.locator("h1").inner_text() == "Demandes des résidents"
    _no_violations(page, "queue")

    _tab_to(page, f'a[href="/console/demandes/{case_id}"]')
    page.keyboard.press("Enter")
    page.wait_for_url(server.url(f"/console/demandes/{case_id}"))
    assert "je dors dehors ce soir" in page.locator("#transcript").inner_text()
    _no_violations(page, "case, before take over")

    _tab_to(page, "form[action$='/prendre'] button")
    page.keyboard.press("Enter")
    page.wait_for_url(server.url(f"/console/demandes/{case_id}?info=pris"))
    assert "Vous avez pris la demande en charge" in page.locator(".notice").inner_text()
    assert [e["event"] for e in server.rasa.events("conv-browser")] == ["pause", "bot"]
    _no_violations(page, "case, taken")

    _tab_to(page, "#body")
    page.keyboard.type("Bonjour, je vous appelle dans 5 minutes.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(server.url(f"/console/demandes/{case_id}?info=envoye"))
    assert server.rasa.events("conv-browser", "bot")[-1]["text"] == "Bonjour, je vous appelle dans 5 minutes."
    assert "Bonjour, je vous appelle dans 5 minutes." in page.locator("#transcript").inner_text()

    server.rasa.say("conv-browser", "user", "merci beaucoup")  # arrives without a reload
    page.wait_for_function("() => document.getElementById('transcript').innerText.includes('merci beaucoup')",
                           timeout=15000)
    _no_violations(page, "case, after a live update")

"""The issue's "done when", end to end: a resident asks for a person in the web chat (Chromium),
consents and chooses to continue there; a conseiller signs in to the console served by the same
web process (an HTTP client with its cookie and CSRF tokens), sees the case, takes it over and
answers; the answer appears in the web chat, also after a reload; while paused the bot is silent
and the resident's words reach the console; after hand-back the bot answers again.
"""
from __future__ import annotations

import re
import time
from datetime import datetime, timezone

import pytest
import requests

from actions.common.db import make_engine, session_scope
from actions.handoff.accounts import create_user
from tests.channels.browser import chromium

pytestmark = [pytest.mark.e2e, pytest.mark.rasa, pytest.mark.browser]

PASSWORD = "mot de passe de test assez long"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Console:
    """A conseiller's browser session, as plain HTTP."""

    def __init__(self, base: str) -> None:
        self.base = base + "/console"
        self.http = requests.Session()

    def login(self, username: str) -> None:
        page = self.http.get(self.base + "/connexion", timeout=10)
        token = CSRF.search(page.text).group(1)
        done = self.http.post(self.base + "/connexion", timeout=10, allow_redirects=False,
                              data={"csrf_token": token, "username": username, "password": PASSWORD})
        assert done.status_code == 303, done.text[:300]

    def case_id_for(self, reference: str) -> int:
        queue = self.http.get(self.base + "/", timeout=10).text
        assert reference in queue
        return int(re.search(rf'href="/console/demandes/(\d+)"[^>]*>\s*{reference}', queue).group(1))

    def post(self, case_id: int, action: str, **fields: str) -> requests.Response:
        page = self.http.get(f"{self.base}/demandes/{case_id}", timeout=10)
        token = CSRF.search(page.text).group(1)
        response = self.http.post(f"{self.base}/demandes/{case_id}/{action}", data={"csrf_token": token, **fields},
                                  timeout=20, allow_redirects=False)
        assert response.status_code == 303, response.text[:500]
        return response

    def resident_lines(self, case_id: int) -> list[str]:
        body = self.http.get(f"{self.base}/demandes/{case_id}/messages.json?after=0", timeout=10).json()
        return [line["text"] for line in body.get("lines", body.get("messages", [])) if line.get("kind") == "user"]


def wait_for(predicate, timeout: float = 30.0, what: str = "condition"):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture(scope="module")
def browser():
    with chromium() as running:
        yield running


def test_a_resident_in_the_web_chat_is_answered_by_a_conseiller_from_the_console(browser, sesame_stack) -> None:
    engine = make_engine(sesame_stack.env()["DATABASE_URL"])
    with session_scope(engine) as session:
        create_user(session, "nadia.e2e", "Nadia", PASSWORD, "conseiller", datetime.now(timezone.utc))
    engine.dispose()

    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(sesame_stack.web_url + "/")
    page.evaluate("() => window.SesameChat.open()")
    bots = lambda: page.locator(".sesame-msg-bot").count()  # noqa: E731
    wait_for(lambda: bots() >= 1, what="the greeting")

    def say(text: str) -> None:
        before = bots()
        page.locator("textarea").fill(text)
        page.keyboard.press("Enter")
        wait_for(lambda: bots() > before, what=f"an answer to {text!r}")

    say("je veux parler a une vraie personne")
    page.get_by_role("button", name="Oui, je suis d'accord").click()
    wait_for(lambda: "Comment voulez-vous" in page.locator(".sesame-msg-bot").last.inner_text(), what="contact")
    page.get_by_role("button", name="Continuer ici, par écrit").click()
    wait_for(lambda: "C'est transmis" in page.locator(".sesame-msg-bot").last.inner_text(), what="the case")
    reference = re.search(r"D-[0-9A-Z]{5}", page.locator(".sesame-msg-bot").last.inner_text()).group(0)

    console = Console(sesame_stack.web_url)
    console.login("nadia.e2e")
    case_id = console.case_id_for(reference)
    console.post(case_id, "prendre")
    banner = page.locator(".sesame-agent-banner")
    wait_for(lambda: banner.is_visible() and "Nadia, du CCAS vous répond" in banner.inner_text(), what="the banner")
    wait_for(lambda: page.locator(".sesame-msg-agent").count() == 1, what="the take-over notice")

    bots_before = bots()
    page.locator("textarea").fill("merci, je suis perdue avec mon dossier caf")
    page.keyboard.press("Enter")
    wait_for(lambda: "merci, je suis perdue avec mon dossier caf" in console.resident_lines(case_id),
             what="the resident's words in the console")
    time.sleep(2)
    assert bots() == bots_before  # Sésame stays silent: Nadia answers

    console.post(case_id, "repondre", body="Je regarde votre dossier avec vous. Avez-vous votre numéro CAF ?")
    wait_for(lambda: "numéro CAF" in page.locator(".sesame-msg-agent").last.inner_text(), what="the reply")
    page.reload()
    assert "numéro CAF" in page.locator(".sesame-msg-agent").last.inner_text()  # kept after a reload

    console.post(case_id, "rendre")
    wait_for(lambda: "de nouveau avec Sésame" in page.locator(".sesame-msg-agent").last.inner_text(),
             what="the hand-back notice")
    page.evaluate("() => window.SesameChat.open()")
    say("bonjour")
    assert "Sésame" in page.locator(".sesame-msg-bot").last.inner_text()
    context.close()
    assert errors == [], f"JavaScript errors: {errors}"

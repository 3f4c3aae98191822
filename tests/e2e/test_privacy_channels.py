"""Residents see and erase their data from the conversation, on every channel, through the real stack.

The stack of tests/e2e/test_handoff_console_channels.py (real Rasa server with the SMS and
Telegram channels, action server, web server, worker). Each resident first leaves something
behind (a case, with consent and phone), then asks "quelles données avez-vous sur moi ?" and
"effacez mes données". The app data goes at once; the conversation goes from Rasa's tracker
store a few seconds later (the worker), while another resident's data stays.
"""
from __future__ import annotations

import re
import sqlite3
import time
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select

from messaging.state.store import sms_sender_id
from actions.common.db import make_engine, session_scope
from actions.common.text import fold
from actions.handoff.models import Case
from bot.channels.telegram import SECRET_HEADER
from bot.channels.twilio_signature import compute_signature
from tests.channels.browser import chromium
from tests.e2e.test_handoff_console import wait_for
from tests.e2e.test_handoff_console_channels import (  # noqa: F401 (fixture)
    TELEGRAM_SECRET,
    TWILIO_TOKEN,
    channels_stack,
    sms_bodies,
)

pytestmark = [pytest.mark.e2e, pytest.mark.rasa]

PHONE = "+33644556677"


def _cases(stack, conversation: str) -> int:
    engine = make_engine(stack.env()["DATABASE_URL"])
    try:
        with session_scope(engine) as session:
            return session.scalar(select(func.count()).select_from(Case).where(Case.conversation_id == conversation))
    finally:
        engine.dispose()


def _said(stack, conversation: str, words: str) -> int:
    """How many stored events of the conversation hold these words (the tracker store, read directly)."""
    with sqlite3.connect(Path(stack.env()["SESAME_TRACKER_DB"])) as db:
        return db.execute("SELECT COUNT(*) FROM events WHERE sender_id = ? AND data LIKE ?",
                          (conversation, f"%{words}%")).fetchone()[0]


def test_a_basic_phone_sees_then_erases_its_data(channels_stack) -> None:  # noqa: F811
    stack, _, outbox = channels_stack
    url = f"{stack.rasa_url}/webhooks/sms/webhook"

    def sms(body: str) -> str:
        before = len(sms_bodies(outbox))
        params = {"From": PHONE, "To": "+33700000000", "Body": body, "MessageSid": "SM" + "7" * 32}
        headers = {"X-Twilio-Signature": compute_signature(TWILIO_TOKEN, url, params.items())}
        assert requests.post(url, data=params, headers=headers, timeout=60).status_code == 200
        return fold("\n".join(sms_bodies(outbox)[before:]))

    sender = sms_sender_id(PHONE)
    assert "d'accord ?" in sms("je veux parler a quelqu'un pour mes dettes")
    sms("oui")
    sms("2")  # by SMS
    done = sms("le soir")
    reference = re.search(r"d-[0-9a-z]{5}", done).group(0)
    assert _cases(stack, sender) == 1

    export = sms("quelles donnees avez vous sur moi")
    assert "voici ce que je garde" in export and reference in export
    assert "il finit par 77" in export and "644556677" not in export  # the number, masked

    question = sms("effacez mes donnees")
    assert "tout effacer ?" in question and "1. oui" in question
    erased = sms("1")
    assert "c'est fait" in erased
    assert _cases(stack, sender) == 0
    wait_for(lambda: _said(stack, sender, "dettes") == 0, timeout=40, what="the conversation erased")
    assert "bonjour" in sms("bonjour") or sms_bodies(outbox)  # a new conversation starts, answered


def test_telegram_sees_then_erases_its_data(channels_stack) -> None:  # noqa: F811
    stack, api, _ = channels_stack
    url = f"{stack.rasa_url}/webhooks/telegram/webhook"
    chat = 990077

    def say(text: str, update_id: int) -> str:
        before = len(api.calls_to("sendMessage"))
        update = {"update_id": update_id, "message": {
            "message_id": update_id, "date": int(time.time()), "chat": {"id": chat, "type": "private"},
            "from": {"id": chat, "is_bot": False, "first_name": "A"}, "text": text}}
        assert requests.post(url, json=update, headers={SECRET_HEADER: TELEGRAM_SECRET}, timeout=60).status_code == 200
        return "\n".join(m["text"] for m in api.calls_to("sendMessage")[before:])

    assert "Je ne garde encore rien" in say("qu'est-ce que vous savez sur moi ?", 501)
    say("je veux parler a une personne, j'ai perdu mon logement", 502)
    say("oui", 503)
    assert "C'est transmis" in say("continuer ici", 504)
    assert "Votre demande D-" in say("quelles données avez-vous sur moi ?", 505)
    assert "Voulez-vous tout effacer ?" in say("supprimez mes données personnelles", 506)
    assert "C'est fait" in say("oui", 507)
    assert _cases(stack, str(chat)) == 0
    wait_for(lambda: _said(stack, str(chat), "logement") == 0, timeout=40, what="the conversation erased")


def test_rest_no_keeps_everything(channels_stack) -> None:  # noqa: F811
    stack, _, _ = channels_stack

    def say(text: str) -> str:
        reply = requests.post(f"{stack.rasa_url}/webhooks/rest/webhook",
                              json={"sender": "rest-privacy-1", "message": text}, timeout=60)
        return "\n".join(m.get("text", "") for m in reply.json())

    assert "d'accord ?" in say("je veux parler a un conseiller pour le RSA")
    assert "Comment voulez-vous" in say("oui")
    done = say("continuer ici")
    assert "C'est transmis" in done, done
    assert "Voulez-vous tout effacer ?" in say("effacez mes donnees")
    assert "je n'efface rien" in say("non")
    assert _cases(stack, "rest-privacy-1") == 1
    time.sleep(6)  # a worker pass
    assert _said(stack, "rest-privacy-1", "RSA") > 0


def test_a_web_resident_downloads_then_erases_its_data(channels_stack) -> None:  # noqa: F811
    stack, _, _ = channels_stack
    with chromium() as browser:
        page = browser.new_page()
        page.goto(stack.web_url + "/")
        page.evaluate("() => window.SesameChat.open()")
        bots = page.locator(".sesame-msg-bot")
        wait_for(lambda: bots.count() >= 1, what="the greeting")

        def say(text: str) -> str:
            before = bots.count()
            page.locator("textarea").fill(text)
            page.keyboard.press("Enter")
            wait_for(lambda: bots.count() > before, what=f"a reply to {text!r}")
            time.sleep(0.5)  # the turn's last bubble
            return "\n".join(bots.nth(i).inner_text() for i in range(before, bots.count()))

        say("j'ai besoin d'aide pour remplir ma demande de prime d'activité")
        shown = say("quelles données avez-vous sur moi ?")
        assert "Voici ce que je garde sur vous" in shown
        link = page.locator(".sesame-msg-bot a[href*='/chat/export']").last
        href = link.get_attribute("href")
        download = requests.get(href, timeout=10)
        assert download.status_code == 200 and "prime d'activité" in download.text
        conversation = page.evaluate("() => JSON.parse(localStorage.getItem('sesame-chat-v1')).sessionId")
        say("effacez mes données")
        before = bots.count()
        page.get_by_role("button", name="Oui, tout effacer").click()
        wait_for(lambda: bots.count() > before and "C'est fait" in bots.last.inner_text(), what="the erasure")
    wait_for(lambda: _said(stack, conversation, "prime") == 0, timeout=40, what="the conversation erased")
    assert requests.get(href, timeout=10).text.count("prime d'activité") == 0  # the link now shows nothing

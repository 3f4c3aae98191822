"""No personal data in the logs, proven on the real stack, through every channel.

Residents write their phone numbers, first names and surnames, and sensitive facts (health,
violence, debts) over REST, signed SMS, Telegram (through the fake Bot API) and the web
chat's socket.io; they book an appointment, ask for a person (a conseiller answers the SMS
and the Telegram resident from the console, the worker sends it), send STOP and START;
refused and malformed requests carry the same data. Then every log file each process wrote under the stack's
var_dir/logs (only what was written during this test) is scanned for those strings in clear
(accents and case ignored) and for the numbers in any common format (spaces, dots, dashes,
+33, 0033 or 0), and so is the SMS outbox, whose recipient must be a pseudonym (``p_…``).
Pseudonyms are fine. The channels' secrets must not be logged either.
"""
from __future__ import annotations

import json
import re
import sqlite3
import time
import unicodedata
from pathlib import Path

import pytest
import requests

from bot.channels.telegram import SECRET_HEADER
from bot.channels.twilio_signature import compute_signature
from tests.booking.e2e_offers import first_offer_after_today
from tests.fuzz.stack import (
    ACTION_SECRET, TELEGRAM_SECRET, TELEGRAM_TOKEN, TIMEOUT, TWILIO_TOKEN, console_login, csrf_of, wait_until,
)
from tests.fuzz.test_fuzz_socketio import WebChat

pytestmark = [pytest.mark.e2e, pytest.mark.rasa]

PHONE = "+33612345678"  # 06 12 34 56 78: the SMS resident, and written in messages everywhere
OTHER_PHONE = "+33781926354"  # 07 81 92 63 54
NAMES = ["Mathilde", "Quesnoy", "Gwendoline", "gwen_quesnoy"]
SENSITIVE = ["séropositive", "me frappe", "dettes"]
SECRETS = [TELEGRAM_TOKEN, TELEGRAM_SECRET, TWILIO_TOKEN, ACTION_SECRET]
CHAT = 770055

SAID = [
    "Bonjour, je m'appelle Mathilde Quesnoy",
    "je suis séropositive et j'ai peur",
    "mon mari me frappe",
    "j'ai des dettes, rappelez-moi au 06 12 34 56 78 ou au +33612345678 ou au 07.81.92.63.54",
]


def fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))


def phone_pattern(e164: str) -> re.Pattern[str]:
    """The national number in any common spelling: 06 12 34 56 78, 06.12.34.56.78, +33 6 12…, 0033612…"""
    digits = e164.removeprefix("+33")
    return re.compile(r"[\s.\-/()]*".join(digits))


PHONES = [phone_pattern(PHONE), phone_pattern(OTHER_PHONE)]
WORDS = [fold(w) for w in NAMES + SENSITIVE]


def leaks(text: str) -> list[str]:
    folded = fold(text)
    found = [word for word in WORDS if word in folded]
    found += [f"phone {match.group(0)!r}" for pattern in PHONES for match in pattern.finditer(text)]
    found += ["a secret" for secret in SECRETS if secret in text]
    return found


# --- the residents --------------------------------------------------------------------------------
def rest(fuzzed, sender: str, text: str) -> list[dict]:
    reply = requests.post(f"{fuzzed.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": text},
                          timeout=TIMEOUT)
    assert reply.status_code == 200, reply.text
    return reply.json()


def texts(replies: list[dict]) -> str:
    return "\n".join(r.get("text", "") for r in replies)


def sms(fuzzed, body: str, phone: str = PHONE, signed: bool = True) -> int:
    url = f"{fuzzed.rasa_url}/webhooks/sms/webhook"
    params = {"From": phone, "To": "+33700000000", "Body": body, "MessageSid": "SM" + "5" * 32}
    signature = compute_signature(TWILIO_TOKEN if signed else "wrong", url, params.items())
    return requests.post(url, data=params, headers={"X-Twilio-Signature": signature}, timeout=TIMEOUT).status_code


def telegram(fuzzed, update: dict, secret: str = TELEGRAM_SECRET) -> int:
    return requests.post(f"{fuzzed.rasa_url}/webhooks/telegram/webhook", json=update,
                         headers={SECRET_HEADER: secret}, timeout=TIMEOUT).status_code


def telegram_text(fuzzed, update_id: int, text: str) -> str:
    before = len(fuzzed.api.calls_to("sendMessage"))
    update = {"update_id": update_id, "message": {
        "message_id": update_id, "date": int(time.time()), "chat": {"id": CHAT, "type": "private",
                                                                    "first_name": "Gwendoline", "last_name": "Quesnoy",
                                                                    "username": "gwen_quesnoy"},
        "from": {"id": CHAT, "is_bot": False, "first_name": "Gwendoline", "last_name": "Quesnoy",
                 "username": "gwen_quesnoy", "language_code": "fr"}, "text": text}}
    assert telegram(fuzzed, update) == 200
    return "\n".join(call["text"] for call in fuzzed.api.calls_to("sendMessage")[before:])


def answer(fuzzed, console: requests.Session, channel: str, text: str) -> None:
    """The conseiller takes the channel's latest case and answers it (the worker delivers it)."""
    with sqlite3.connect(fuzzed.app_db()) as db:
        case_id = db.execute("SELECT id FROM handoff_cases WHERE channel = ? ORDER BY id DESC",
                             (channel,)).fetchone()[0]
    for action, fields in (("prendre", {}), ("repondre", {"body": text})):
        token = csrf_of(console.get(f"{fuzzed.web_url}/console/demandes/{case_id}", timeout=TIMEOUT).text)
        done = console.post(f"{fuzzed.web_url}/console/demandes/{case_id}/{action}", allow_redirects=False,
                            data={"csrf_token": token, **fields}, timeout=TIMEOUT)
        assert done.status_code == 303, done.text[:300]


def log_files(var: Path) -> list[Path]:
    return sorted(p for p in var.rglob("*") if p.is_file() and (p.suffix in {".log", ".jsonl", ".txt"}
                                                                or "log" in p.parent.name))


# --- the test --------------------------------------------------------------------------------------
def test_no_phone_name_or_sensitive_word_reaches_a_log(fuzzed) -> None:
    start = {path: path.stat().st_size for path in log_files(fuzzed.var)}

    # REST: the sensitive messages, a booking with first name and phone, a request for a person.
    for text in SAID:
        assert rest(fuzzed, "privacy-rest", text)
    replies = rest(fuzzed, "privacy-book", "je voudrais un rdv pour apprendre a envoyer un mail")
    replies = rest(fuzzed, "privacy-book", "peu importe")
    offer = first_offer_after_today(lambda t: rest(fuzzed, "privacy-book", t), replies)
    assert "prénom" in texts(rest(fuzzed, "privacy-book", offer["payload"]))
    assert "portable" in texts(rest(fuzzed, "privacy-book", "Mathilde"))
    assert "Mathilde" in texts(rest(fuzzed, "privacy-book", "06.12.34.56.78"))
    assert "référence" in texts(rest(fuzzed, "privacy-book", "oui"))
    assert "d'accord" in texts(rest(fuzzed, "privacy-call", "je veux parler a une personne pour mes dettes"))
    assert "Comment voulez-vous" in texts(rest(fuzzed, "privacy-call", "oui"))
    assert "numéro" in texts(rest(fuzzed, "privacy-call", "telephone"))
    rest(fuzzed, "privacy-call", "c'est le 06 12 34 56 78")
    assert "C'est transmis" in texts(rest(fuzzed, "privacy-call", "le matin"))

    # Signed SMS from the resident's number, a request for a person, STOP and START, a forged SMS.
    outbox = len(fuzzed.sms_bodies())
    for text in SAID + ["je veux parler a une personne pour mes dettes", "oui", "2", "le soir"]:
        assert sms(fuzzed, text) == 200
    assert any("C'est transmis" in body for body in fuzzed.sms_bodies()[outbox:])
    assert sms(fuzzed, "STOP") == 200 and sms(fuzzed, "START") == 200
    assert sms(fuzzed, "Mathilde séropositive 06 12 34 56 78", signed=False) == 403

    # A conseiller answers the SMS resident from the console; the worker sends the SMS.
    console = console_login(fuzzed.web_url)
    answer(fuzzed, console, "sms", "Bonjour, je vous appelle demain matin.")
    wait_until(lambda: any("je vous appelle demain matin" in b for b in fuzzed.sms_bodies()), timeout=40,
               what="the conseiller's SMS, sent by the worker")

    # Telegram, with the resident's names in the update; a malformed and a forged update.
    assert "Sésame" in telegram_text(fuzzed, 1, "/start")
    for update_id, text in enumerate(SAID + ["je voudrais parler a une personne", "oui"], start=2):
        telegram_text(fuzzed, update_id, text)
    assert "C'est transmis" in telegram_text(fuzzed, 20, "continuer ici")
    answer(fuzzed, console, "telegram", "Bonjour, ici le CCAS. Je lis votre message.")
    wait_until(lambda: any("Je lis votre message" in call["text"] for call in fuzzed.api.calls_to("sendMessage")),
               timeout=40, what="the conseiller's Telegram message, sent by the worker")
    assert telegram(fuzzed, {"update_id": 21, "message": {"text": "séropositive 07 81 92 63 54 Gwendoline",
                                                          "chat": "Gwendoline Quesnoy"}}) == 200
    assert telegram(fuzzed, {"update_id": 22, "message": {"text": "Mathilde 06 12 34 56 78"}},
                    secret="wrong") == 403

    # The web chat, and a malformed socket.io message.
    chat = WebChat(fuzzed.rasa_url)
    try:
        chat.session("privacy-web")
        for text in SAID:
            assert chat.say("privacy-web", text)
        chat.client.emit("user_uttered", {"session_id": 12, "message": "Mathilde séropositive 06 12 34 56 78"})
        chat.client.emit("user_uttered", {"session_id": "privacy-web", "message": "mon mari me frappe",
                                          "metadata": "{Mathilde 0612345678"})
        assert chat.say("privacy-web", "merci")
    finally:
        chat.close()
    time.sleep(3)  # a worker pass, the last log lines

    found = []
    for path in log_files(fuzzed.var):
        with path.open("rb") as handle:
            handle.seek(start.get(path, 0))
            written = handle.read().decode("utf-8", "replace")
        if path == fuzzed.outbox:
            found += outbox_leaks(path, written)
            continue
        for number, line in enumerate(written.splitlines(), start=1):
            found += [f"{path.relative_to(fuzzed.var)} (+{number}): {what} in {line[:300]!r}" for what in leaks(line)]
    assert not found, "personal data in the logs:\n" + "\n".join(found)


# Sésame's own example of a number ("Écrivez-le avec 10 chiffres. Par exemple : 06 12 34 56 78.").
BOT_EXAMPLE = re.compile(r"exemple\s*:?\s*06 12 34 56 78", re.IGNORECASE)


def outbox_leaks(path: Path, written: str) -> list[str]:
    """The log provider's outbox: the recipient is a pseudonym, and neither the SMS texts Sésame
    and the conseiller sent nor any other field repeat what the resident wrote."""
    found = []
    for line in written.splitlines():
        record = json.loads(line)
        assert re.fullmatch(r"p_[0-9a-f]{16}", record["to"]), record["to"]
        for key, value in record.items():
            value = BOT_EXAMPLE.sub("exemple", str(value))
            found += [f"{path.name}: {what} in {key}={value[:300]!r}" for what in leaks(value)]
    return found

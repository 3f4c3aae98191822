"""One real Sésame stack for every fuzz test, and what the tests read from it.

The stack is the one `make run` starts (tools.stack.Stack: Rasa with the trained
model and every channel of credentials.yml, the action server behind its shared secret,
the web server with the console, the worker), with:

- the SMS channel on (Twilio auth token, the ``log`` provider writing ``sms.jsonl``);
- the Telegram channel on, its Bot API being tests/channels/fake_bot_api.py on 127.0.0.1;
- a console conseiller and a console admin, and one open case of a REST conversation.

``FuzzStack.stored()`` counts every row of the app database and of Rasa's tracker store,
the SMS outbox's lines and the fake Bot API's calls: a rejected request must leave all of
them as they were.
"""
from __future__ import annotations

import json
import re
import secrets
import sqlite3
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator, Mapping

import requests

from tests.channels.fake_bot_api import FakeBotApi, fake_bot_api

TWILIO_TOKEN = "fuzz-twilio-auth-token-0123456789"
TELEGRAM_TOKEN = "4242:FUZZ-TOKEN"
TELEGRAM_SECRET = "fuzz-telegram-secret_0123456789"
ACTION_SECRET = secrets.token_hex(32)
HASH_SALT = "fuzz-hash-salt"
CONSEILLER, ADMIN = "fuzz.conseiller", "fuzz.admin"
PASSWORD = "un mot de passe de fuzz assez long"
CASE_CONVERSATION = "fuzz-console-case"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
TIMEOUT = 60


class FuzzStack:
    """The running stack (not a dataclass: Hypothesis prints a failing example's fixtures, shortly)."""

    def __init__(self, stack: Any, api: FakeBotApi, var: Path, case_id: int) -> None:
        self.stack = stack  # tools.stack.Stack
        self.api = api
        self.var = var
        self.case_id = case_id

    def __repr__(self) -> str:  # Hypothesis prints the fixtures of a failing example
        return f"FuzzStack(rasa={self.rasa_url}, web={self.web_url}, actions={self.actions_url}, var={self.var})"

    @property
    def rasa_url(self) -> str:
        return self.stack.rasa_url

    @property
    def web_url(self) -> str:
        return self.stack.web_url

    @property
    def actions_url(self) -> str:
        return self.stack.actions_url

    @property
    def outbox(self) -> Path:
        return self.var / "sms.jsonl"

    @property
    def logs(self) -> Path:
        return self.var / "logs"

    def app_db(self) -> Path:
        return Path(self.stack.env()["DATABASE_URL"].removeprefix("sqlite:///"))

    def tracker_db(self) -> Path:
        return Path(self.stack.env()["SESAME_TRACKER_DB"])

    def stored(self, but: tuple[str, ...] = ()) -> dict[str, int]:
        """Rows of every table (app database and tracker store), outbox lines, Bot API calls.

        ``but``: conversations whose tracker events are not counted (a probe's own turns).
        """
        counts: dict[str, int] = {}
        for label, path in (("app", self.app_db()), ("tracker", self.tracker_db())):
            if not path.exists():
                continue
            db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
            try:
                tables = [row[0] for row in db.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
                for table in tables:
                    query, args = f'SELECT COUNT(*) FROM "{table}"', ()
                    if label == "tracker" and table == "events" and but:
                        query += f" WHERE sender_id NOT IN ({', '.join('?' * len(but))})"
                        args = but
                    counts[f"{label}.{table}"] = db.execute(query, args).fetchone()[0]
            finally:
                db.close()
        counts["sms outbox lines"] = len(self.outbox.read_bytes().splitlines()) if self.outbox.exists() else 0
        counts["telegram bot api calls"] = len(self.api.calls)
        return counts

    def sms_bodies(self) -> list[str]:
        if not self.outbox.exists():
            return []
        return [json.loads(line)["body"] for line in self.outbox.read_text(encoding="utf-8").splitlines()]


def moved(before: Mapping[str, int], after: Mapping[str, int]) -> dict[str, tuple[int, int]]:
    """The counts that moved (empty when nothing was stored)."""
    return {key: (before.get(key, 0), after.get(key, 0)) for key in set(before) | set(after)
            if before.get(key, 0) != after.get(key, 0)}


def wait_until(predicate, timeout: float = 20.0, what: str = "condition"):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@contextmanager
def fuzz_stack(model: Path, var: Path) -> Iterator[FuzzStack]:
    from actions.common.db import make_engine, session_scope
    from actions.handoff import accounts, cases
    from actions.handoff.summary import Summary
    from tools.stack import Stack, free_port

    with fake_bot_api() as api:
        stack = Stack(model=model, var_dir=var, rasa_port=free_port(), actions_port=free_port(),
                      web_port=free_port(), extra_env={
                          "DATABASE_URL": f"sqlite:///{var / 'sesame.db'}",
                          "TWILIO_AUTH_TOKEN": TWILIO_TOKEN, "SMS_PROVIDER": "log",
                          "SMS_OUTBOX": str(var / "sms.jsonl"), "TELEGRAM_TOKEN": TELEGRAM_TOKEN,
                          "TELEGRAM_SECRET_TOKEN": TELEGRAM_SECRET, "TELEGRAM_API_BASE_URL": api.base_url,
                          "SESAME_ACTION_SECRET": ACTION_SECRET, "SESAME_HASH_SALT": HASH_SALT,
                          "SESAME_ENV": "development",
                      })
        stack.start()
        try:
            engine = make_engine(stack.env()["DATABASE_URL"])
            now = datetime.now(timezone.utc)
            with session_scope(engine) as session:
                accounts.create_user(session, CONSEILLER, "Fuzz", PASSWORD, "conseiller", now)
                accounts.create_user(session, ADMIN, "Admin", PASSWORD, "admin", now)
                summary = Summary(need="trouver un logement", theme="logement-hebergement", urgent=False,
                                  guides=[], searches=[], last_messages=["je cherche un logement"])
                case, _ = cases.create_case(session, cases.CaseDraft(
                    conversation_id=CASE_CONVERSATION, channel="rest", summary=summary, contact_mode="ici",
                    phone=None, availability="le matin"), now)
                case_id = case.id
            engine.dispose()
            stack.say(CASE_CONVERSATION, "bonjour")  # the case's conversation exists in Rasa
            yield FuzzStack(stack, api, var, case_id)
        finally:
            stack.stop()


def console_login(web_url: str, username: str = CONSEILLER) -> requests.Session:
    """A signed-in console session (cookie in the requests.Session)."""
    http = requests.Session()
    page = http.get(web_url + "/console/connexion", timeout=TIMEOUT)
    token = CSRF.search(page.text).group(1)
    done = http.post(web_url + "/console/connexion", allow_redirects=False, timeout=TIMEOUT,
                     data={"csrf_token": token, "username": username, "password": PASSWORD})
    assert done.status_code == 303, done.text[:300]
    return http


def csrf_of(html: str) -> str:
    match = CSRF.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1)

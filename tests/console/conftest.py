"""Console fixtures: a migrated SQLite file, two accounts, a few cases, the console on a real port."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from actions.common.db import make_engine, session_scope
from actions.handoff import accounts, cases
from actions.handoff.summary import Summary
from bot.settings import reset_bot_settings_cache
from tests.console.harness import console_server

PASSWORD = "un mot de passe solide"
ADMIN_PASSWORD = "administrateur très sûr"


@pytest.fixture(autouse=True)
def fresh_bot_settings():
    """bot/settings.py reads the environment once: a test that changes it must not leak into the next."""
    reset_bot_settings_cache()
    yield
    reset_bot_settings_cache()


@pytest.fixture
def engine(sqlite_url):
    engine = make_engine(sqlite_url)
    yield engine
    engine.dispose()


def make_case(engine, conversation_id: str, channel: str = "socketio", theme: str = "logement-hebergement",
              urgent: bool = False, phone: str | None = None, minutes_ago: int = 30) -> int:
    now = datetime.now(timezone.utc) - timedelta(minutes=minutes_ago)
    summary = Summary(need="trouver un logement", theme=theme, urgent=urgent, guides=["aides-logement"],
                      searches=["logement social"], last_messages=["je cherche un logement"])
    draft = cases.CaseDraft(conversation_id=conversation_id, channel=channel, summary=summary,
                            contact_mode="sms" if phone else "ici", phone=phone, availability="le matin")
    with session_scope(engine) as session:
        case, _ = cases.create_case(session, draft, now)
        return case.id


@pytest.fixture
def users(engine) -> dict[str, int]:
    now = datetime.now(timezone.utc)
    with session_scope(engine) as session:
        nadia = accounts.create_user(session, "nadia", "Nadia", PASSWORD, "conseiller", now, service="CCAS")
        admin = accounts.create_user(session, "admin", "Paul", ADMIN_PASSWORD, "admin", now, service="CCAS")
        return {"nadia": nadia.id, "admin": admin.id}


@pytest.fixture
def server(engine, users):
    with console_server(engine) as running:
        yield running

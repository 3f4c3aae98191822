"""Conversations leave Rasa's tracker store on schedule, and on a resident's request.

Written through Rasa's own SQLTrackerStore (the one `make run` and production use),
on SQLite and on PostgreSQL, then read back through it as Rasa would.
"""
from __future__ import annotations

import asyncio
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest
from rasa.shared.core.events import UserUttered
from sqlalchemy import create_engine

from actions.common.conversations import erase, purge_conversations
from tests.privacy.helpers import rasa_store, say, stored

ROOT = Path(__file__).resolve().parents[2]


def test_purge_deletes_silent_conversations_whole_and_keeps_recent_ones(db_url: str) -> None:
    store = rasa_store(db_url)
    say(store, "ancienne", days_ago=45)
    say(store, "reprise", days_ago=45)
    say(store, "reprise", days_ago=2, text="je reviens")  # old start, recent message: kept whole
    say(store, "recente", days_ago=1)
    engine = create_engine(db_url)
    try:
        assert purge_conversations(engine, datetime.now(timezone.utc), days=30) == 1
    finally:
        engine.dispose()
    assert not stored(store, "ancienne")
    reprise = asyncio.run(store.retrieve("reprise"))
    assert [e.text for e in reprise.events if isinstance(e, UserUttered)] == ["j'ai un souci avec ma CAF", "je reviens"]
    assert stored(store, "recente")


def test_erase_removes_one_conversation_only(db_url: str) -> None:
    store = rasa_store(db_url)
    say(store, "a-effacer", days_ago=0)
    say(store, "autre", days_ago=0)
    engine = create_engine(db_url)
    try:
        assert erase(engine, "a-effacer") == 3
        assert erase(engine, "a-effacer") == 0
    finally:
        engine.dispose()
    assert not stored(store, "a-effacer")
    assert stored(store, "autre")


def test_nothing_to_purge_before_rasa_created_its_store(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'tracker.db'}")
    assert purge_conversations(engine, datetime.now(timezone.utc)) == 0
    assert erase(engine, "personne") == 0
    never_started = create_engine(f"sqlite:///{tmp_path / 'no-such-folder' / 'tracker.db'}")
    assert purge_conversations(never_started, datetime.now(timezone.utc)) == 0


def test_conseiller_erases_a_conversation_from_the_command_line(tmp_path: Path) -> None:
    tracker_db = tmp_path / "tracker.db"
    store = rasa_store(f"sqlite:///{tracker_db}")
    say(store, "habitante-42", days_ago=0)
    env = {"PATH": "/usr/bin:/bin", "SESAME_VAR_DIR": str(tmp_path), "SESAME_TRACKER_DB": str(tracker_db)}
    done = subprocess.run([sys.executable, "-m", "actions.common.conversations", "erase", "habitante-42"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "3 message(s) and event(s) deleted." in done.stdout
    assert "habitante-42" not in done.stdout + done.stderr  # the id is logged as a pseudonym only
    assert not stored(store, "habitante-42")


@pytest.mark.parametrize("env, expected", [
    ({"SESAME_TRACKER_DB": "/srv/sesame/tracker.db"}, "sqlite:////srv/sesame/tracker.db"),
    ({"POSTGRES_HOST": "db", "POSTGRES_PORT": "5433", "POSTGRES_DB": "rasa", "POSTGRES_USER": "sesame",
      "POSTGRES_PASSWORD": "p@ss:word"}, "postgresql://sesame:p%40ss%3Aword@db:5433/rasa"),
    ({"SESAME_TRACKER_URL": "postgresql://x@y/z", "POSTGRES_HOST": "db"}, "postgresql://x@y/z"),
])
def test_the_tracker_store_url_follows_the_endpoints_files(env: dict, expected: str) -> None:
    from actions.common.settings import tracker_store_url

    assert tracker_store_url(env, Path("/var/sesame")) == expected

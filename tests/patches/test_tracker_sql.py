"""Conversations are stored and read back by bot.patches.tracker_sql exactly as Rasa's own
SQLTrackerStore does: same rows, same rebuilt conversation, across sessions and restarts.

Both ways write to the same database under different conversation ids; each way then
reads what the other wrote. SQLite and PostgreSQL.
"""
from __future__ import annotations

import asyncio
from typing import Iterator

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered,
                                     ActiveLoop)
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from sqlalchemy import create_engine, text

from bot.patches import tracker_sql
from tests.privacy.test_conversation_retention import rasa_store

DOMAIN = Domain.from_yaml("""
version: "3.1"
intents: [greet, book]
slots:
  phone: {type: text, influence_conversation: false, mappings: [{type: custom}]}
  guide_page: {type: float, influence_conversation: false, mappings: [{type: custom}]}
responses:
  utter_greet: [{text: "Bonjour"}]
""")


def turns(session: int) -> list[list[object]]:
    """Three resident turns of one session, as the processor adds them."""
    t = 1_700_000_000.0 + session * 10_000
    return [
        [ActionExecuted("action_session_start", timestamp=t), SessionStarted(timestamp=t + 0.1),
         ActionExecuted("action_listen", timestamp=t + 0.2)],
        [UserUttered("bjr", {"name": "greet", "confidence": 0.97}, timestamp=t + 1),
         ActionExecuted("utter_greet", policy="RulePolicy", confidence=1.0, timestamp=t + 2),
         BotUttered("Bonjour", {"utter_action": "utter_greet"}, timestamp=t + 3),
         ActionExecuted("action_listen", timestamp=t + 4)],
        [UserUttered("rdv stp", {"name": "book", "confidence": 0.91}, timestamp=t + 5),
         ActiveLoop("booking_form", timestamp=t + 6), SlotSet("phone", "0600000000", timestamp=t + 7),
         SlotSet("guide_page", 2.0, timestamp=t + 8), ActionExecuted("action_listen", timestamp=t + 9)],
    ]


def hold_conversation(store: SQLTrackerStore, sender: str) -> None:
    """Two sessions, saved after every turn, reading the conversation back each time."""
    for session in range(2):
        for events in turns(session):
            tracker = asyncio.run(store.retrieve(sender)) or DialogueStateTracker(sender, DOMAIN.slots)
            for event in events:
                tracker.update(event)
            asyncio.run(store.save(tracker))


@pytest.fixture
def stores(db_url: str) -> Iterator[tuple[SQLTrackerStore, str]]:
    store = rasa_store(db_url)
    store.domain = DOMAIN
    try:
        yield store, db_url
    finally:
        tracker_sql.uninstall()
        store.engine.dispose()


def read_both_ways(store: SQLTrackerStore, sender: str) -> tuple[list[dict], list[dict]]:
    states = []
    for install in (tracker_sql.uninstall, tracker_sql.install):
        install()
        latest = asyncio.run(store.retrieve(sender))
        full = asyncio.run(store.retrieve_full_tracker(sender))
        states.append((latest.current_state(EventVerbosity.ALL), full.current_state(EventVerbosity.ALL)))
    return states[0], states[1]


def test_same_rows_and_same_conversations_both_ways(stores: tuple[SQLTrackerStore, str]) -> None:
    store, url = stores
    tracker_sql.uninstall()
    hold_conversation(store, "rasa")
    tracker_sql.install()
    hold_conversation(store, "sesame")

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            rows = {sender: connection.execute(text(
                "SELECT type_name, timestamp, intent_name, action_name, data FROM events "
                "WHERE sender_id = :s ORDER BY id"), {"s": sender}).all() for sender in ("rasa", "sesame")}
    finally:
        engine.dispose()
    assert len(rows["rasa"]) == 2 * sum(len(events) for events in turns(0))  # nothing lost, nothing doubled
    assert [tuple(r) for r in rows["sesame"]] == [tuple(r) for r in rows["rasa"]]

    for sender in ("rasa", "sesame"):
        rasa_read, our_read = read_both_ways(store, sender)
        assert our_read == rasa_read
        latest, full = our_read
        assert len(full["events"]) > len(latest["events"]) > 0  # the latest session only, then all of it
        assert latest["slots"]["phone"] == "0600000000" and latest["active_loop"]["name"] == "booking_form"


def test_unknown_conversation_reads_as_none_both_ways(stores: tuple[SQLTrackerStore, str]) -> None:
    store, _ = stores
    for install in (tracker_sql.uninstall, tracker_sql.install):
        install()
        assert asyncio.run(store.retrieve("personne")) is None


def test_saving_twice_adds_nothing(stores: tuple[SQLTrackerStore, str]) -> None:
    store, url = stores
    tracker_sql.install()
    hold_conversation(store, "deux-fois")
    tracker = asyncio.run(store.retrieve("deux-fois"))
    asyncio.run(store.save(tracker))
    again = asyncio.run(store.retrieve("deux-fois"))
    assert len(again.events) == len(tracker.events)


def test_sqlite_store_writes_ahead_and_keeps_conversations_across_a_restart(tmp_path) -> None:
    """The embedded store commits without waiting for the disk, and a new process reads it all."""
    db = tmp_path / "tracker.db"
    tracker_sql.install()
    try:
        store = SQLTrackerStore(DOMAIN, dialect="sqlite", db=str(db))
        hold_conversation(store, "wal")
        with store.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
        store.engine.dispose()
        restarted = SQLTrackerStore(DOMAIN, dialect="sqlite", db=str(db))
        tracker = asyncio.run(restarted.retrieve_full_tracker("wal"))
        assert len(tracker.events) == 2 * sum(len(events) for events in turns(0))
        restarted.engine.dispose()
    finally:
        tracker_sql.uninstall()

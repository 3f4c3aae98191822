"""Erasure reaches production's event outbox: copies of a conversation's events that RabbitMQ has
not confirmed yet (it is down) are deleted with the conversation, never published afterwards,
and the export says they are there.

Real PostgreSQL, the real DurableEventBroker behind Rasa's own SQLTrackerStore (as
endpoints.production.yml wires them), RabbitMQ unreachable (a closed port) so the copies wait.
"""
from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta, timezone
from typing import Iterator

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import text
from sqlalchemy.engine import make_url

from actions.common.db import make_engine, session_scope
from actions.privacy import conversation, rights
from bot.production.event_broker import DEFAULT_TABLE, DurableEventBroker
from tools.stack import free_port

pytestmark = [pytest.mark.production]

RESIDENT = "web-erase-outbox"
OTHER = "web-keeps-outbox"


@pytest.fixture
def broker(pg_url) -> Iterator[DurableEventBroker]:
    """The production broker on the test database, RabbitMQ unreachable: every event waits."""
    broker = DurableEventBroker("127.0.0.1", "unused", "unused", free_port(), outbox_url=pg_url,
                                queues=["sesame_erasure_probe"], retry_delay=0.2)
    broker.start()
    yield broker
    broker.stop()


def talk(pg_url: str, broker: DurableEventBroker, sender: str, words: str) -> None:
    """One turn written by Rasa's tracker store, each event streamed to the broker."""
    url = make_url(pg_url)
    store = SQLTrackerStore(Domain.empty(), dialect="postgresql", host=url.host, port=url.port, db=url.database,
                            username=url.username, password=url.password or "", event_broker=broker)
    at = time.time()
    tracker = asyncio.run(store.retrieve(sender)) or DialogueStateTracker(sender, slots=[])
    for event in (ActionExecuted("action_listen", timestamp=at), UserUttered(words, timestamp=at + 0.001),
                  BotUttered("Je vous explique.", timestamp=at + 0.002)):
        tracker.update(event)
    asyncio.run(store.save(tracker))


def waiting(engine, sender: str) -> int:
    with engine.connect() as connection:
        return connection.execute(text(f"SELECT COUNT(*) FROM {DEFAULT_TABLE} WHERE sender_id = :s"),
                                  {"s": sender}).scalar()


def test_the_outbox_table_name_is_the_brokers() -> None:
    assert rights.EVENT_OUTBOX == DEFAULT_TABLE


def test_erasure_deletes_the_unpublished_copies_of_that_resident_only(pg_url, broker) -> None:
    engine = make_engine(pg_url)
    try:
        for sender in (RESIDENT, OTHER):
            talk(pg_url, broker, sender, "je m'appelle Awa, j'ai des dettes de loyer")
        assert waiting(engine, RESIDENT) >= 3 and waiting(engine, OTHER) >= 3  # RabbitMQ down: all wait
        with session_scope(engine) as session:
            data = rights.collect(session, engine, RESIDENT)
        assert data.unpublished_events == waiting(engine, RESIDENT)
        summary = conversation.export_summary(data)
        assert "en attente d'envoi au journal des conversations" in summary, summary
        assert "Copies en attente d'envoi" in conversation.export_document(data, datetime.now(timezone.utc))

        now = datetime.now(timezone.utc)
        with session_scope(engine) as session:
            rights.erase(session, RESIDENT, now)
        talk(pg_url, broker, RESIDENT, "oui")  # the turn that asked, written after the action answered
        with session_scope(engine) as session:  # the worker's next round
            rights.erase_waiting_conversations(session, engine, now + timedelta(seconds=10))
        assert waiting(engine, RESIDENT) == 0, "copies of an erased conversation would still be published"
        assert waiting(engine, OTHER) >= 3, "another resident's events were deleted"
        with session_scope(engine) as session:
            rights.erase_waiting_conversations(session, engine, now + timedelta(seconds=20))
            after = rights.collect(session, engine, RESIDENT)
        assert after.is_empty and after.unpublished_events == 0
        assert broker.pending() == waiting(engine, OTHER)
    finally:
        engine.dispose()


def test_without_the_production_broker_the_erasure_works_as_before(pg_url) -> None:
    """`make run` has no outbox table: nothing to delete, nothing to report."""
    engine = make_engine(pg_url)
    try:
        with session_scope(engine) as session:
            data = rights.collect(session, engine, RESIDENT)
            rights.erase(session, RESIDENT, datetime.now(timezone.utc))
        assert data.unpublished_events == 0
        with session_scope(engine) as session:
            rights.erase_waiting_conversations(session, engine, datetime.now(timezone.utc) + timedelta(seconds=10))
    finally:
        engine.dispose()

"""Two real Rasa replicas with the atomic lock store and the durable event broker: 20 messages
sent at once on one conversation, alternately to each replica."""
from __future__ import annotations

import json
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from actions.common.db import throwaway_database
from tools.stack import Stack, free_port
from tests.conftest import POSTGRES_ADMIN_URL, require_service
from tests.production.amqp import delete, drain

pytestmark = [pytest.mark.e2e, pytest.mark.rasa, pytest.mark.production]

ENDPOINTS = """
action_endpoint:
  url: ${ACTION_ENDPOINT_URL}
  headers:
    X-Sesame-Action-Secret: ${SESAME_ACTION_SECRET}
tracker_store:
  type: SQL
  dialect: postgresql
  url: ${POSTGRES_HOST}
  port: ${POSTGRES_PORT}
  db: ${POSTGRES_DB}
  username: ${POSTGRES_USER}
  password: ${POSTGRES_PASSWORD}
lock_store:
  type: bot.production.lock_store.AtomicRedisLockStore
  url: ${REDIS_HOST}
  port: ${REDIS_PORT}
  db: ${REDIS_DB}
  key_prefix: ${TEST_LOCK_PREFIX}
event_broker:
  type: bot.production.event_broker.DurableEventBroker
  url: ${RABBITMQ_HOST}
  port: ${RABBITMQ_PORT}
  username: ${RABBITMQ_USER}
  password: ${RABBITMQ_PASSWORD}
  exchange_name: ${RABBITMQ_QUEUE}
  queues:
    - ${RABBITMQ_QUEUE}
  outbox:
    host: ${POSTGRES_HOST}
    port: ${POSTGRES_PORT}
    db: ${POSTGRES_DB}
    username: ${POSTGRES_USER}
    password: ${POSTGRES_PASSWORD}
"""

MESSAGES = ["bonjour", "merci beaucoup", "aide", "non c'est tout", "qui es-tu"]


@pytest.fixture(scope="module")
def replicas(trained_model, tmp_path_factory) -> Iterator[Stack]:
    require_service("PostgreSQL", "127.0.0.1", 5432)
    require_service("Redis", "127.0.0.1", 6379)
    require_service("RabbitMQ", "127.0.0.1", 5672)
    var = tmp_path_factory.mktemp("sesame-replicas")
    (var / "endpoints.yml").write_text(ENDPOINTS)
    queue = f"sesame_events_{uuid.uuid4().hex[:8]}"
    prefix = f"e2e{uuid.uuid4().hex[:8]}"
    with throwaway_database(POSTGRES_ADMIN_URL, "sesame_tracker") as url:
        database = make_url(url).database
        stack = Stack(
            model=trained_model, var_dir=var, rasa_port=free_port(), actions_port=free_port(),
            web_port=free_port(), with_web=False, with_worker=False, endpoints=str(var / "endpoints.yml"),
            rasa_replicas=2,
            extra_env={
                "POSTGRES_HOST": "127.0.0.1", "POSTGRES_PORT": "5432", "POSTGRES_DB": database,
                "POSTGRES_USER": "postgres", "POSTGRES_PASSWORD": "",
                "REDIS_HOST": "127.0.0.1", "REDIS_PORT": "6379", "REDIS_DB": "1", "TEST_LOCK_PREFIX": prefix,
                "RABBITMQ_HOST": "127.0.0.1", "RABBITMQ_PORT": "5672", "RABBITMQ_USER": "guest",
                "RABBITMQ_PASSWORD": "guest", "RABBITMQ_QUEUE": queue,
            },
        )
        stack.queue, stack.tracker_url = queue, url  # type: ignore[attr-defined]
        stack.start(timeout=300)
        try:
            yield stack
        finally:
            stack.stop()
            delete(5672, queue, queue)
            from tests.production.race import delete_keys
            delete_keys(6379, prefix)


def test_twenty_concurrent_messages_on_one_conversation_never_interleave(replicas) -> None:
    sender = f"conc-{uuid.uuid4().hex[:8]}"
    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(lambda i: replicas.say(sender, MESSAGES[i % len(MESSAGES)], timeout=120, replica=i % 2),
                                range(20)))
    assert all(answers), "every message got an answer"

    engine = sa.create_engine(replicas.tracker_url)
    with engine.connect() as connection:
        rows = connection.execute(sa.text(
            "SELECT type_name, action_name, data FROM events WHERE sender_id = :s ORDER BY id"), {"s": sender}).all()
    engine.dispose()
    kinds = [(t, a) for t, a, _ in rows]
    users = [i for i, (t, _a) in enumerate(kinds) if t == "user"]
    assert len(users) == 20, kinds
    for here, following in zip(users, users[1:] + [len(kinds)]):
        turn = kinds[here + 1:following]
        # each message is followed by its own bot actions, ending by listening, before the next one
        assert turn and turn[-1] == ("action", "action_listen"), kinds[here:following]
        assert any(t == "bot" for t, _ in turn), kinds[here:following]

    published = [e for _id, e in drain(5672, replicas.queue, expected=len(rows), timeout=30)
                 if e.get("sender_id") == sender]
    stored = [json.loads(data) for _t, _a, data in rows]
    engine = sa.create_engine(replicas.tracker_url)
    with engine.connect() as connection:  # published, so deleted (right after RabbitMQ's confirm)
        assert connection.execute(sa.text("SELECT count(*) FROM event_outbox")).scalar_one() == 0
    engine.dispose()
    assert [(e["event"], e.get("timestamp")) for e in published] == \
        [(e["event"], e.get("timestamp")) for e in stored], "every event published once, in the tracker's order"

"""Production mode for real: PostgreSQL tracker store, Redis lock store, RabbitMQ event broker,
and two Rasa replicas sharing one conversation."""
from __future__ import annotations

import json
import uuid
from typing import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from actions.common.db import make_engine, throwaway_database
from tools.stack import Stack, free_port
from tests.conftest import require_service

pytestmark = [pytest.mark.e2e, pytest.mark.rasa, pytest.mark.production]


@pytest.fixture(scope="module")
def production_services() -> None:
    require_service("PostgreSQL", "127.0.0.1", 5432)
    require_service("Redis", "127.0.0.1", 6379)
    require_service("RabbitMQ", "127.0.0.1", 5672)


@pytest.fixture(scope="module")
def tracker_db(production_services) -> Iterator[str]:
    """A throw-away PostgreSQL database for the conversations."""
    from tests.conftest import POSTGRES_ADMIN_URL

    with throwaway_database(POSTGRES_ADMIN_URL, "sesame_tracker") as url:
        yield make_url(url).database


@pytest.fixture(scope="module")
def production_stack(trained_model, tracker_db, tmp_path_factory) -> Iterator[Stack]:
    queue = f"sesame_events_{uuid.uuid4().hex[:8]}"
    stack = Stack(
        model=trained_model,
        var_dir=tmp_path_factory.mktemp("sesame-prod"),
        rasa_port=free_port(),
        actions_port=free_port(),
        web_port=free_port(),
        with_web=False,
        with_worker=False,
        endpoints="endpoints.production.yml",
        rasa_replicas=2,
        extra_env={
            "POSTGRES_HOST": "127.0.0.1", "POSTGRES_PORT": "5432", "POSTGRES_DB": tracker_db,
            "POSTGRES_USER": "postgres", "POSTGRES_PASSWORD": "",
            "REDIS_HOST": "127.0.0.1", "REDIS_PORT": "6379", "REDIS_DB": "1",
            "RABBITMQ_HOST": "127.0.0.1", "RABBITMQ_PORT": "5672", "RABBITMQ_USER": "guest",
            "RABBITMQ_PASSWORD": "guest", "RABBITMQ_QUEUE": queue,
        },
    )
    stack.queue = queue  # type: ignore[attr-defined]
    stack.tracker_db = tracker_db  # type: ignore[attr-defined]
    stack.start(timeout=300)
    yield stack
    stack.stop()
    import pika

    connection = pika.BlockingConnection(pika.ConnectionParameters("127.0.0.1", 5672))
    connection.channel().queue_delete(queue=queue)
    connection.close()


def test_one_conversation_spans_two_replicas_and_lives_in_postgresql(production_stack) -> None:
    from tests.conftest import POSTGRES_ADMIN_URL

    sender = f"prod-{uuid.uuid4().hex[:8]}"
    first = production_stack.say(sender, "merci beaucoup", replica=0)
    assert any("Avez-vous une autre question" in r.get("text", "") for r in first)
    # The answer to "non" depends on the previous turn, which replica 2 only knows from PostgreSQL.
    second = production_stack.say(sender, "non c'est tout", replica=1)
    assert any("Au revoir" in r.get("text", "") for r in second)

    engine = make_engine(POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{production_stack.tracker_db}")
    with engine.connect() as conn:
        count = conn.execute(
            text("SELECT count(*) FROM events WHERE sender_id = :s AND type_name = 'user'"), {"s": sender}
        ).scalar_one()
    engine.dispose()
    assert count == 2


def test_every_event_is_published_to_rabbitmq(production_stack) -> None:
    import pika

    sender = f"prod-{uuid.uuid4().hex[:8]}"
    production_stack.say(sender, "bonjour")
    connection = pika.BlockingConnection(pika.ConnectionParameters("127.0.0.1", 5672))
    channel = connection.channel()
    seen = []
    for _ in range(200):
        method, _props, body = channel.basic_get(queue=production_stack.queue, auto_ack=True)
        if method is None:
            break
        seen.append(json.loads(body))
    connection.close()
    assert any(e.get("sender_id") == sender and e.get("event") == "user" for e in seen)


def test_rasa_replicas_hold_redis_connections_for_their_locks(production_stack) -> None:
    import redis

    client = redis.Redis(host="127.0.0.1", port=6379, db=1, client_name="sesame-test")
    for replica in (0, 1):
        production_stack.say(f"prod-{uuid.uuid4().hex[:8]}", "aide", replica=replica)
    others = [c for c in client.client_list() if c.get("db") == "1" and c.get("name") != "sesame-test"]
    client.close()
    assert len(others) >= 2, "each Rasa replica should keep a connection to the Redis lock store"

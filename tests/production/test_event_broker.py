"""DurableEventBroker against real PostgreSQL and RabbitMQ.

"RabbitMQ down" is a private RabbitMQ node (its own name, ports, data and logs in a temporary
folder) killed with SIGKILL and started again; the machine's RabbitMQ is never touched except to
declare and delete the test's own queue and exchange.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.production.event_broker import DurableEventBroker
from tools.stack import free_port
from tests.production.amqp import delete, drain

pytestmark = [pytest.mark.production]

ROOT = Path(__file__).resolve().parents[2]


def event(sender: str, seq: int) -> dict:
    return {"sender_id": sender, "event": "user", "text": f"message {seq}", "seq": seq, "timestamp": time.time()}


def wait_until(condition, timeout: float = 20, step: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()


def broker(outbox_url: str, port: int, name: str) -> DurableEventBroker:
    return DurableEventBroker("127.0.0.1", "guest", "guest", port, queues=[name], exchange_name=name,
                              outbox_url=outbox_url, retry_delay=0.3, socket_timeout=1).start()


def test_rabbitmq_down_residents_answered_and_every_event_arrives_once_in_order(outbox_url, private_rabbitmq) -> None:
    name = f"ev{uuid.uuid4().hex[:8]}"
    durable = broker(outbox_url, private_rabbitmq.port, name)
    try:
        sent = []
        for seq in range(10):  # RabbitMQ up
            sent.append(event("alice" if seq % 2 else "bob", seq))
            durable.publish(sent[-1])
        assert wait_until(lambda: durable.pending() == 0), "published while RabbitMQ is up"

        private_rabbitmq.kill()
        slowest = 0.0
        for seq in range(10, 40):  # RabbitMQ down: each publish is the outbox INSERT only
            sent.append(event("alice" if seq % 2 else "bob", seq))
            began = time.perf_counter()
            durable.publish(sent[-1])
            slowest = max(slowest, time.perf_counter() - began)
        assert slowest < 0.2, f"a publish waited {slowest:.3f} s while RabbitMQ was down"
        time.sleep(1.5)  # the publisher retries meanwhile and fails
        assert durable.pending() == 30, "unpublished events stay in the outbox"

        private_rabbitmq.start()
        assert wait_until(lambda: durable.pending() == 0, timeout=30), "published once RabbitMQ is back"
        got = drain(private_rabbitmq.port, name, expected=40)
    finally:
        durable.stop()
    seqs = [e["seq"] for _id, e in got]
    assert sorted(seqs) == list(range(40)), f"each event exactly once: {seqs}"
    assert seqs == list(range(40)), "in the order they were written"
    for sender in ("alice", "bob"):
        mine = [e["seq"] for _id, e in got if e["sender_id"] == sender]
        assert mine == sorted(mine), f"{sender}'s events in order"
    assert len({message_id for message_id, _e in got}) == 40, "one message_id per event"
    assert got[0][1] == sent[0], "the message body is the event as Rasa gave it"


DYING_REPLICA = """
import sys, time
from bot.production.event_broker import DurableEventBroker
url, port, name = sys.argv[1], int(sys.argv[2]), sys.argv[3]
b = DurableEventBroker("127.0.0.1", "guest", "guest", port, queues=[name], exchange_name=name,
                       outbox_url=url, retry_delay=0.2, socket_timeout=1).start()
for seq in range(25):
    b.publish({"sender_id": "carol", "event": "bot", "seq": seq})
print("written", flush=True)
time.sleep(600)
"""


def test_a_replica_dying_with_unpublished_events_they_are_published_by_the_next_one(
        outbox_url, shared_rabbitmq) -> None:
    name = f"ev{uuid.uuid4().hex[:8]}"
    nobody = free_port()  # this replica's RabbitMQ is unreachable: nothing listens there
    replica = subprocess.Popen([sys.executable, "-c", DYING_REPLICA, outbox_url, str(nobody), name], cwd=ROOT,
                               stdout=subprocess.PIPE, text=True, start_new_session=True,
                               env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert replica.stdout.readline().strip() == "written"
        os.killpg(replica.pid, signal.SIGKILL)
    finally:
        if replica.poll() is None:
            os.killpg(replica.pid, signal.SIGKILL)
        replica.wait()
    engine = sa.create_engine(outbox_url)
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM event_outbox")).scalar_one() == 25
    engine.dispose()

    began = time.monotonic()
    successor = broker(outbox_url, shared_rabbitmq, name)
    try:
        assert wait_until(lambda: successor.pending() == 0), "the new replica publishes what the dead one left"
        took = time.monotonic() - began
        got = drain(shared_rabbitmq, name, expected=25)
    finally:
        successor.stop()
        delete(shared_rabbitmq, name, name)
    assert [e["seq"] for _id, e in got] == list(range(25))
    assert took < 10, f"took {took:.1f} s"


def test_one_replica_publishes_at_a_time_and_another_takes_over(outbox_url, shared_rabbitmq) -> None:
    name = f"ev{uuid.uuid4().hex[:8]}"
    first = broker(outbox_url, shared_rabbitmq, name)
    assert wait_until(lambda: first.is_leader)
    second = broker(outbox_url, shared_rabbitmq, name)
    try:
        time.sleep(0.5)
        assert not second.is_leader, "the advisory lock elects a single publisher"
        for seq in range(10):  # written by the standby replica, published by the leader
            second.publish(event("dave", seq))
        assert wait_until(lambda: first.published == 10)
        first.stop()  # its session ends: the lock is free
        for seq in range(10, 20):
            second.publish(event("dave", seq))
        assert wait_until(lambda: second.is_leader and second.pending() == 0)
        got = drain(shared_rabbitmq, name, expected=20)
    finally:
        first.stop()
        second.stop()
        delete(shared_rabbitmq, name, name)
    assert [e["seq"] for _id, e in got] == list(range(20))


def test_from_endpoints_yaml(outbox_url, shared_rabbitmq, tmp_path) -> None:
    """Rasa builds it from endpoints.yml (module path, environment variables)."""
    import asyncio

    from rasa.core.brokers.broker import EventBroker
    from rasa.utils.endpoints import read_endpoint_config

    url = sa.engine.make_url(outbox_url)
    name = f"ev{uuid.uuid4().hex[:8]}"
    (tmp_path / "endpoints.yml").write_text(f"""
event_broker:
  type: bot.production.event_broker.DurableEventBroker
  url: 127.0.0.1
  port: {shared_rabbitmq}
  username: guest
  password: guest
  exchange_name: {name}
  queues:
    - {name}
  outbox:
    host: {url.host}
    port: {url.port or 5432}
    db: {url.database}
    username: {url.username}
    password: ""
""")
    config = read_endpoint_config(str(tmp_path / "endpoints.yml"), "event_broker")
    created = asyncio.run(EventBroker.create(config))
    try:
        assert isinstance(created, DurableEventBroker)
        created.publish(event("erin", 0))
        assert wait_until(lambda: created.pending() == 0)
        got = drain(shared_rabbitmq, name, expected=1)
    finally:
        created.stop()
        delete(shared_rabbitmq, name, name)
    assert [e["seq"] for _id, e in got] == [0]


def test_no_default_rabbitmq_login() -> None:
    """Rasa's PikaEventBroker falls back to guest/guest; this broker refuses to start without a login."""
    with pytest.raises(ValueError, match="RABBITMQ_USER, RABBITMQ_PASSWORD"):
        DurableEventBroker("127.0.0.1", outbox_url="postgresql://postgres@127.0.0.1:5432/unused")

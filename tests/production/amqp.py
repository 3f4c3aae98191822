"""Read what a queue holds, as a consumer would."""
from __future__ import annotations

import json
import time
from typing import List, Tuple

import pika

#: The login of this machine's RabbitMQ and of the tests' private nodes (RabbitMQ's development
#: account, loopback only). Passed explicitly everywhere: production code has no default login.
USER = "guest"
PASSWORD = "guest"


def parameters(port: int) -> pika.ConnectionParameters:
    return pika.ConnectionParameters("127.0.0.1", port, credentials=pika.PlainCredentials(USER, PASSWORD))


def drain(port: int, queue: str, expected: int, timeout: float = 20) -> List[Tuple[str, dict]]:
    """(message_id, event) of every message in ``queue``, waiting until ``expected`` arrived
    (and half a second more, to catch duplicates)."""
    connection = pika.BlockingConnection(parameters(port))
    channel = connection.channel()
    got: List[Tuple[str, dict]] = []
    deadline = time.monotonic() + timeout
    quiet_until = None
    while time.monotonic() < deadline:
        method, properties, body = channel.basic_get(queue=queue, auto_ack=True)
        if method is None:
            if len(got) >= expected:
                quiet_until = quiet_until or time.monotonic() + 0.5
                if time.monotonic() > quiet_until:
                    break
            time.sleep(0.05)
            continue
        got.append((properties.message_id, json.loads(body)))
    connection.close()
    return got


def delete(port: int, queue: str, exchange: str) -> None:
    connection = pika.BlockingConnection(parameters(port))
    channel = connection.channel()
    channel.queue_delete(queue=queue)
    channel.exchange_delete(exchange=exchange)
    connection.close()

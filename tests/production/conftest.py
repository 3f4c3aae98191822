"""Fixtures of the production tests: real PostgreSQL and Redis of the machine, private servers
for what a test restarts or kills."""
from __future__ import annotations

import os
import uuid
from typing import Iterator

import pytest

from tests.conftest import POSTGRES_ADMIN_URL, require_service
from tests.production.services import PrivateRabbitMQ, PrivateRedis


def require_binary(name: str, present: bool) -> None:
    """Skip (or fail under CI=true) when a server binary a restart test needs is missing."""
    if present:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{name} is not installed, and CI=true requires it")
    pytest.skip(f"{name} is not installed")


@pytest.fixture
def shared_redis() -> int:
    require_service("Redis", "127.0.0.1", 6379)
    return 6379


@pytest.fixture
def key_prefix(shared_redis) -> Iterator[str]:
    """A key prefix of its own on the shared Redis, its keys deleted afterwards."""
    from tests.production.race import delete_keys

    prefix = f"t{uuid.uuid4().hex[:10]}"
    yield prefix
    delete_keys(shared_redis, prefix)


@pytest.fixture
def private_redis(tmp_path) -> Iterator[PrivateRedis]:
    import shutil

    require_binary("redis-server", shutil.which("redis-server") is not None)
    server = PrivateRedis(tmp_path / "redis").start()
    yield server
    server.stop()


@pytest.fixture
def persistent_redis(tmp_path) -> Iterator[PrivateRedis]:
    import shutil

    require_binary("redis-server", shutil.which("redis-server") is not None)
    server = PrivateRedis(tmp_path / "redis-aof", appendonly=True).start()
    yield server
    server.stop()


@pytest.fixture
def outbox_url() -> Iterator[str]:
    """A throw-away PostgreSQL database standing for the tracker store's."""
    from actions.common.db import throwaway_database

    require_service("PostgreSQL", "127.0.0.1", 5432)
    with throwaway_database(POSTGRES_ADMIN_URL, "sesame_outbox") as url:
        yield url


@pytest.fixture
def shared_rabbitmq() -> int:
    require_service("RabbitMQ", "127.0.0.1", 5672)
    return 5672


@pytest.fixture
def private_rabbitmq(tmp_path) -> Iterator[PrivateRabbitMQ]:
    require_binary("rabbitmq-server", PrivateRabbitMQ.available())
    server = PrivateRabbitMQ(tmp_path / "rabbitmq").start()
    yield server
    server.stop()

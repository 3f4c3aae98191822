"""The lock store on a Redis that requires a password (``requirepass``), as production's should.

A private redis-server with a random password; the lock store is built by Rasa from
endpoints.production.yml itself, the password only in REDIS_PASSWORD. With it, turns of one
conversation are served one after the other; without it, or with a wrong one, a turn fails at
once with an error naming REDIS_PASSWORD (not after the minute the store waits for a Redis that
is down).
"""
from __future__ import annotations

import asyncio
import secrets
import shutil
import time
from pathlib import Path
from typing import Iterator, Optional

import pytest
import redis
from rasa.core.lock_store import LockError, LockStore

from bot.production.lock_store import AtomicRedisLockStore
from tests.production.conftest import require_binary
from tests.production.services import PrivateRedis

pytestmark = [pytest.mark.production]

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def protected_redis(tmp_path) -> Iterator[PrivateRedis]:
    require_binary("redis-server", shutil.which("redis-server") is not None)
    server = PrivateRedis(tmp_path / "redis-auth", password=secrets.token_hex(24)).start()
    yield server
    server.stop()


def production_lock_store(monkeypatch, server: PrivateRedis, password: Optional[str]) -> AtomicRedisLockStore:
    """LockStore.create from endpoints.production.yml, as a Rasa replica of run-prod builds it."""
    from rasa.utils.endpoints import read_endpoint_config

    for name in ("POSTGRES_HOST", "POSTGRES_PORT", "POSTGRES_DB", "POSTGRES_USER", "POSTGRES_PASSWORD",
                 "RABBITMQ_HOST", "RABBITMQ_PORT", "RABBITMQ_USER", "RABBITMQ_PASSWORD", "RABBITMQ_QUEUE",
                 "ACTION_ENDPOINT_URL", "SESAME_ACTION_SECRET"):
        monkeypatch.setenv(name, "unused")  # other sections of the file; only the lock store is built
    monkeypatch.setenv("REDIS_HOST", "127.0.0.1")
    monkeypatch.setenv("REDIS_PORT", str(server.port))
    monkeypatch.setenv("REDIS_DB", "0")
    if password is None:
        monkeypatch.delenv("REDIS_PASSWORD", raising=False)
    else:
        monkeypatch.setenv("REDIS_PASSWORD", password)
    config = read_endpoint_config(str(ROOT / "endpoints.production.yml"), "lock_store")
    assert config is not None and "password" not in config.kwargs, "the password must not be in the file"
    store = LockStore.create(config)
    assert isinstance(store, AtomicRedisLockStore)
    return store


def test_the_server_really_requires_the_password(protected_redis) -> None:
    with pytest.raises(redis.AuthenticationError):
        redis.Redis(port=protected_redis.port).ping()
    assert redis.Redis(port=protected_redis.port, password=protected_redis.password).ping()


def test_with_redis_password_the_turns_of_a_conversation_take_turns(protected_redis, monkeypatch) -> None:
    store = production_lock_store(monkeypatch, protected_redis, protected_redis.password)
    log: list[str] = []

    async def turn(name: str) -> None:
        async with store.lock("conv", wait_time_in_seconds=0.01):
            log.append(f"enter {name}")
            await asyncio.sleep(0.2)
            log.append(f"exit {name}")

    async def both() -> None:
        await asyncio.gather(turn("t1"), turn("t2"))

    asyncio.run(both())
    assert log == ["enter t1", "exit t1", "enter t2", "exit t2"]
    client = redis.Redis(port=protected_redis.port, password=protected_redis.password)
    assert client.exists("sesame:lock:counter") and not client.exists("sesame:lock:conv:tickets")
    store.close()


@pytest.mark.parametrize("password", [None, "", "not-the-password"], ids=["unset", "empty", "wrong"])
def test_without_the_right_password_a_turn_is_refused_at_once_naming_the_variable(
        protected_redis, monkeypatch, password) -> None:
    store = production_lock_store(monkeypatch, protected_redis, password)
    ran = []

    async def turn() -> None:
        async with store.lock("conv"):
            ran.append("turn")

    began = time.monotonic()
    with pytest.raises(LockError, match="REDIS_PASSWORD"):
        asyncio.run(turn())
    assert time.monotonic() - began < 2, "a refused login is not Redis being down: no waiting"
    assert not ran
    store.close()


def test_password_and_password_env_together_are_refused() -> None:
    from rasa.utils.endpoints import EndpointConfig

    with pytest.raises(ValueError, match="not both"):
        AtomicRedisLockStore(EndpointConfig(url="127.0.0.1", password="x", password_env="REDIS_PASSWORD"))

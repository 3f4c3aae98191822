"""AtomicRedisLockStore against real Redis servers, through Rasa's own ``lock_store.lock()``.

The races run separate processes (fork), as replicas are, on the machine's Redis (each test has
its own key prefix). The restart tests use a private redis-server on a free port.

The stock store under the same race, measured on this machine (12 processes, one turn each,
10 rounds): 8 rounds with two processes inside the lock at once and 10 of 10 with turns lost
(a ticket overwritten: its turn ends in LockError, or waits until the lock's lifetime runs out).
The test asserts an overlap within 6 rounds.
"""
from __future__ import annotations

import asyncio
import time
import uuid

import pytest
from rasa.core.lock_store import LockError, LockStore

from bot.production.lock_store import AtomicRedisLockStore
from tests.production.race import leftover_keys, race

pytestmark = [pytest.mark.production]

NO_GRACE = {"restart_grace_seconds": 0}


def test_many_processes_never_hold_one_conversation_together(shared_redis, key_prefix) -> None:
    result = race("atomic", shared_redis, key_prefix, contenders=12, turns=4, options=NO_GRACE)
    assert result.overlaps == 0, result.lines
    assert result.entered == 48 and result.errors == 0 and result.stuck == 0, "no turn lost"
    assert result.in_ticket_order, "served in the order the tickets were issued"
    assert leftover_keys(shared_redis, key_prefix) == [f"{key_prefix}:lock:counter", f"{key_prefix}:lock:epoch"], "no lock left"


def test_rasas_stock_redis_lock_store_interleaves_under_the_same_race(shared_redis) -> None:
    from tests.production.race import delete_keys

    rounds = []
    for _ in range(6):
        prefix = f"stock{uuid.uuid4().hex[:8]}"
        result = race("stock", shared_redis, prefix, contenders=12, turns=1, lifetime=3, timeout=8)
        delete_keys(shared_redis, prefix)
        rounds.append((result.overlaps, result.entered, result.errors, result.stuck))
        if result.overlaps:
            break
    assert any(overlaps for overlaps, *_ in rounds), f"no interleaving seen: {rounds}"


def test_a_holder_that_dies_is_skipped_once_its_ticket_expires(shared_redis, key_prefix) -> None:
    dead = race("atomic", shared_redis, key_prefix, contenders=1, turns=1, lifetime=1.0, dying=1)
    assert dead.entered == 1 and dead.stuck == 0  # entered, then SIGKILL: it never releases
    began = time.monotonic()
    others = race("atomic", shared_redis, key_prefix, contenders=3, turns=2, options=NO_GRACE)
    assert others.overlaps == 0 and others.entered == 6 and others.errors == 0, others.lines
    assert 0.5 < time.monotonic() - began < 5, "served once the dead holder's ticket expired"


def test_a_holder_killed_mid_turn_is_skipped_after_its_lease_not_the_lock_lifetime(shared_redis, key_prefix) -> None:
    """Rasa's 60 s lifetime, a 1 s lease: a replica killed inside a turn holds the conversation
    up to its lease, not a minute."""
    lease = {"restart_grace_seconds": 0, "lease_seconds": 1.0}
    dead = race("atomic", shared_redis, key_prefix, contenders=1, turns=1, lifetime=60, dying=1, options=lease)
    assert dead.entered == 1 and dead.stuck == 0
    began = time.monotonic()
    others = race("atomic", shared_redis, key_prefix, contenders=3, turns=2, lifetime=60, options=lease)
    assert others.overlaps == 0 and others.entered == 6 and others.errors == 0, others.lines
    assert time.monotonic() - began < 5, "served once the dead holder's lease ran out"


def test_a_live_turn_longer_than_the_lease_keeps_the_lock(shared_redis, key_prefix) -> None:
    """The lease is renewed while the holder's process lives: a 2 s turn with a 0.3 s lease is
    never joined by the next one, and a waiter behind it keeps its place."""
    store = AtomicRedisLockStore(host="127.0.0.1", port=shared_redis, db=1, key_prefix=key_prefix,
                                 lease_seconds=0.3, restart_grace_seconds=0)
    turns = Turns(store)

    async def scenario() -> None:
        started = asyncio.Event()
        first = asyncio.create_task(turns.turn("t1", 2.0, started))
        await started.wait()
        await asyncio.gather(first, turns.turn("t2", 0.01))

    asyncio.run(scenario())
    assert turns.never_together(), turns.log
    assert turns.processed() == ["t1", "t2"] and not turns.failed, turns.log


def test_rasa_builds_it_from_endpoints_yaml(tmp_path, shared_redis, key_prefix) -> None:
    from rasa.utils.endpoints import read_endpoint_config

    (tmp_path / "endpoints.yml").write_text(f"""
lock_store:
  type: bot.production.lock_store.AtomicRedisLockStore
  url: 127.0.0.1
  port: "{shared_redis}"
  db: "1"
  password: ""
  key_prefix: {key_prefix}
""")
    store = LockStore.create(read_endpoint_config(str(tmp_path / "endpoints.yml"), "lock_store"))
    assert isinstance(store, AtomicRedisLockStore)

    async def turn() -> None:
        async with store.lock("conv"):
            assert store.is_someone_waiting("conv")
    asyncio.run(turn())
    assert not store.is_someone_waiting("conv")


class Turns:
    """Turns of one conversation in one event loop, logging when each runs (the critical section)."""

    def __init__(self, store: AtomicRedisLockStore) -> None:
        self.store = store
        self.log: list[tuple[str, str]] = []
        self.failed: list[str] = []

    async def turn(self, name: str, hold: float, started: asyncio.Event | None = None) -> None:
        try:
            async with self.store.lock("conv", wait_time_in_seconds=0.02):
                self.log.append(("enter", name))
                if started:
                    started.set()
                await asyncio.sleep(hold)
                self.log.append(("exit", name))
        except LockError:
            self.failed.append(name)

    def never_together(self) -> bool:
        inside = 0
        for kind, _ in self.log:
            inside += 1 if kind == "enter" else -1
            if inside > 1:
                return False
        return True

    def processed(self) -> list[str]:
        return [name for kind, name in self.log if kind == "enter"]


def store_on(server, **options) -> AtomicRedisLockStore:
    return AtomicRedisLockStore(host="127.0.0.1", port=server.port, db=1, key_prefix="sesame", **options)


def test_redis_restarted_between_turns(private_redis) -> None:
    store = store_on(private_redis, restart_grace_seconds=0.5)
    turns = Turns(store)
    asyncio.run(turns.turn("t1", 0.01))
    private_redis.restart()  # without persistence: every key is gone
    began = time.monotonic()
    asyncio.run(turns.turn("t2", 0.01))
    assert turns.processed() == ["t1", "t2"] and not turns.failed
    assert time.monotonic() - began >= 0.45, "after a data loss a new turn waits for the grace period"


def test_redis_restarted_without_its_data_while_a_turn_runs(private_redis) -> None:
    """Holder t1 runs; t2 waits; Redis restarts empty; t3 arrives. t1 finishes normally, t2 is
    refused before running (its ticket is gone), t3 runs only after t1 ended: no two turns at
    once, no turn run twice."""
    store = store_on(private_redis, restart_grace_seconds=1.5)
    turns = Turns(store)

    async def scenario() -> None:
        started = asyncio.Event()
        first = asyncio.create_task(turns.turn("t1", 1.0, started))
        await started.wait()
        second = asyncio.create_task(turns.turn("t2", 0.01))
        await asyncio.sleep(0.1)
        await asyncio.get_running_loop().run_in_executor(None, private_redis.restart)
        third = asyncio.create_task(turns.turn("t3", 0.01))
        await asyncio.gather(first, second, third)

    asyncio.run(scenario())
    assert turns.never_together(), turns.log
    assert turns.processed() == ["t1", "t3"], turns.log
    assert turns.failed == ["t2"]
    assert turns.log.index(("exit", "t1")) < turns.log.index(("enter", "t3"))


def test_redis_restarted_with_its_data_while_a_turn_runs(persistent_redis) -> None:
    """With appendonly (production's recommended setting) the tickets survive a crash of Redis:
    the waiting turns are served after the holder, in order, each once."""
    store = store_on(persistent_redis)
    turns = Turns(store)

    async def scenario() -> None:
        started = asyncio.Event()
        first = asyncio.create_task(turns.turn("t1", 0.8, started))
        await started.wait()
        waiting = [asyncio.create_task(turns.turn(f"t{n}", 0.01)) for n in (2, 3)]
        await asyncio.sleep(0.1)
        await asyncio.get_running_loop().run_in_executor(None, persistent_redis.restart)
        await asyncio.gather(first, *waiting)

    asyncio.run(scenario())
    assert turns.never_together(), turns.log
    assert turns.processed() == ["t1", "t2", "t3"] and not turns.failed, turns.log


def test_redis_down_at_the_end_of_a_turn_does_not_fail_the_turn(private_redis) -> None:
    """The turn ran and its events are written: reporting an error would make the resident send
    the message again, and the turn run twice. The ticket expires on its own."""
    store = store_on(private_redis, restart_grace_seconds=0)

    async def turn() -> str:
        async with store.lock("conv"):
            private_redis.kill()
            return "answered"

    try:
        assert asyncio.run(turn()) == "answered"
    finally:
        private_redis.start()

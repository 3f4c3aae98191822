"""Many processes run Rasa's ``lock_store.lock(conversation_id)`` on one conversation at once.

Each contender appends ``enter``/``exit`` lines to one Redis list inside the lock, so the list is
the real order of the critical sections, as Redis saw them, across processes.
"""
from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
import time
from dataclasses import dataclass, field
from typing import Any, Dict, List

import redis
from rasa.core.lock_store import LockError, LockStore, RedisLockStore

from bot.production.lock_store import AtomicRedisLockStore


def make_store(kind: str, port: int, prefix: str, **options: Any) -> LockStore:
    if kind == "stock":
        return RedisLockStore(host="127.0.0.1", port=port, db=1, key_prefix=prefix)
    return AtomicRedisLockStore(host="127.0.0.1", port=port, db=1, key_prefix=prefix, **options)


def _contender(kind: str, port: int, prefix: str, conversation: str, log_key: str, index: int, turns: int,
               hold: float, barrier: Any, options: Dict[str, Any], lifetime: float) -> None:
    store = make_store(kind, port, prefix, **options)
    log = redis.Redis(port=port, db=1)

    async def run() -> None:
        for turn in range(turns):
            try:
                async with store.lock(conversation, lock_lifetime=lifetime, wait_time_in_seconds=0.005) as lock:
                    log.rpush(log_key, f"enter {index}:{turn} {lock.now_serving}")
                    if hold < 0:  # this contender dies holding the lock
                        os.kill(os.getpid(), signal.SIGKILL)
                    await asyncio.sleep(hold)
                    log.rpush(log_key, f"exit {index}:{turn}")
            except LockError:
                log.rpush(log_key, f"error {index}:{turn}")

    barrier.wait()
    asyncio.run(run())


@dataclass
class RaceResult:
    lines: List[str]
    entered: int = 0
    errors: int = 0
    overlaps: int = 0  # an `enter` while someone else was inside
    tickets: List[int] = field(default_factory=list)
    stuck: int = 0  # contenders killed at the deadline, still waiting

    @property
    def in_ticket_order(self) -> bool:
        return self.tickets == sorted(self.tickets) and len(set(self.tickets)) == len(self.tickets)


def analyse(lines: List[str]) -> RaceResult:
    result = RaceResult(lines)
    inside: List[str] = []
    for line in lines:
        kind, who, *rest = line.split()
        if kind == "enter":
            result.entered += 1
            if inside:
                result.overlaps += 1
            inside.append(who)
            result.tickets.append(int(rest[0]))
        elif kind == "exit":
            inside.remove(who)
        else:
            result.errors += 1
    return result


def race(kind: str, port: int, prefix: str, contenders: int, turns: int, hold: float = 0.002,
         options: Dict[str, Any] | None = None, lifetime: float = 60, dying: int = 0,
         timeout: float = 60) -> RaceResult:
    """Start ``contenders`` processes together (a barrier); ``dying`` of them are SIGKILLed by
    themselves while holding the lock on their first turn."""
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(contenders)
    conversation = f"race-{prefix}"
    log_key = f"{prefix}:racelog"
    processes = [
        context.Process(target=_contender, args=(kind, port, prefix, conversation, log_key, index, turns,
                                                 -1 if index < dying else hold, barrier, options or {}, lifetime))
        for index in range(contenders)
    ]
    for process in processes:
        process.start()
    deadline = time.monotonic() + timeout
    stuck = 0
    for process in processes:
        process.join(timeout=max(0.1, deadline - time.monotonic()))
        if process.is_alive():  # a contender still waiting for a lock that will never come
            stuck += 1
            process.kill()
            process.join()
    client = redis.Redis(port=port, db=1)
    lines = [line.decode() for line in client.lrange(log_key, 0, -1)]
    client.delete(log_key)
    client.close()
    result = analyse(lines)
    result.stuck = stuck
    return result


def leftover_keys(port: int, prefix: str) -> List[str]:
    client = redis.Redis(port=port, db=1)
    keys = sorted(key.decode() for key in client.keys(f"{prefix}:*"))
    client.close()
    return keys


def delete_keys(port: int, prefix: str) -> None:
    client = redis.Redis(port=port, db=1)
    keys = client.keys(f"{prefix}:*")
    if keys:
        client.delete(*keys)
    client.close()

"""Exactly one active worker among several: leader election with a PostgreSQL advisory lock.

Production starts two workers (``make run-prod``, deploy/). Each asks PostgreSQL for one
session-level advisory lock (``pg_try_advisory_lock``) on its own connection before every
pass. The one that holds it is the leader: it sends the outbox and runs the purges. The
other is on standby: it tries again every second and becomes the leader as soon as the
lock is free. PostgreSQL frees a session lock when its connection ends, so a leader that
dies (crash, SIGKILL, OOM, a machine gone) loses it at once when its socket closes, or
after the TCP keep-alives below notice a silent peer (about 30 s).

Before each pass the leader checks that its connection is still open and still holds
the lock (PostgreSQL restarted: the lock is gone, the leader steps down and tries again
on a new connection). The lock is no lease the leader could overrun: a leader cut from
PostgreSQL cannot send anything either, since each message is claimed with a conditional
UPDATE (pending → sending) in the app database. The claim keeps "sent once" even in the
instant two workers might both believe they lead; the election keeps the work in one place.

On SQLite (``make run``, one machine, one worker) there is no election: the only worker leads.
"""
from __future__ import annotations

import hashlib
import logging
import os
import time
from dataclasses import dataclass, field
from typing import Any, Optional

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.pool import NullPool

from actions.common.settings import get_settings

log = logging.getLogger(__name__)

LOCK_NAME = "sesame:notifications-worker"
# TCP keep-alives on the lock's connection: a leader whose machine vanished without closing
# its socket is noticed by PostgreSQL after idle + interval·count = 10 + 5·4 = 30 s.
KEEPALIVES = {"keepalives": 1, "keepalives_idle": 10, "keepalives_interval": 5, "keepalives_count": 4,
              "connect_timeout": 5}


def lock_key(name: str = LOCK_NAME) -> int:
    """The advisory lock's 64-bit key, derived from a name (signed, as PostgreSQL's bigint)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


def uses_election(url: str) -> bool:
    """Leader election is for PostgreSQL; SQLite is the single-worker embedded mode."""
    return make_url(url).get_backend_name() == "postgresql"


@dataclass
class LeaderElection:
    """``is_leader()`` before each pass: keeps, checks or tries to take the lock.

    ``name`` identifies this worker in the logs and in ``pg_stat_activity.application_name``.
    """

    url: str
    name: str = field(default_factory=lambda: get_settings().worker_name or f"worker-{os.getpid()}")
    key: int = field(default_factory=lock_key)
    leader: bool = False
    since: Optional[float] = None  # time.time() when this worker became leader
    last_error: str = ""
    _engine: Optional[Engine] = None
    _conn: Optional[Connection] = None

    @property
    def enabled(self) -> bool:
        return uses_election(self.url)

    def _connect(self) -> Connection:
        if self._engine is None:
            connect_args: dict[str, Any] = dict(KEEPALIVES, application_name=f"sesame-{self.name}"[:63])
            self._engine = create_engine(self.url, future=True, poolclass=NullPool, connect_args=connect_args)
        return self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")

    def _drop(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except Exception:  # noqa: BLE001 - the connection is already broken
                pass
        self._conn = None

    def _holds_lock(self) -> bool:
        assert self._conn is not None
        # A bigint key shows in pg_locks as classid (high 32 bits) and objid (low 32 bits), objsubid 1.
        return bool(self._conn.execute(text(
            "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted "
            "AND pid = pg_backend_pid() AND classid = CAST(:high AS oid) AND objid = CAST(:low AS oid) "
            "AND objsubid = 1)"
        ), {"high": (self.key >> 32) & 0xFFFFFFFF, "low": self.key & 0xFFFFFFFF}).scalar())

    def is_leader(self) -> bool:
        """True when this worker holds the lock now (it then does the pass)."""
        if not self.enabled:
            self.leader, self.since = True, self.since or time.time()
            return True
        was_leader = self.leader
        try:
            if self._conn is None:
                self._conn = self._connect()
            if self.leader:
                self.leader = self._holds_lock()  # connection alive and the lock still ours
            if not self.leader:
                self.leader = bool(self._conn.execute(text("SELECT pg_try_advisory_lock(:key)"),
                                                      {"key": self.key}).scalar())
            self.last_error = ""
        except Exception as exc:  # noqa: BLE001 - PostgreSQL down or restarting: not leader, retry later
            self.last_error = type(exc).__name__
            self.leader = False
            self._drop()
        if self.leader and not was_leader:
            self.since = time.time()
            log.info("%s is now the leader (advisory lock %d)", self.name, self.key)
        elif was_leader and not self.leader:
            self.since = None
            log.warning("%s lost the leadership (%s); it will try again", self.name, self.last_error or "lock gone")
        return self.leader

    def release(self) -> None:
        """Give the lock back (a clean stop: the standby takes over without waiting)."""
        if self.enabled and self._conn is not None and self.leader:
            try:
                self._conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self.key})
            except Exception:  # noqa: BLE001 - closing the connection frees it anyway
                pass
        self.leader, self.since = False, None
        self._drop()
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

"""Rasa's SQL tracker store for replicas on PostgreSQL: no turn answered from an empty
conversation because PostgreSQL restarted.

Why: Rasa 3.6's ``SQLTrackerStore`` creates its engine without ``pool_pre_ping``. When
PostgreSQL restarts, every connection in each replica's pool is dead, and the first statement a
replica runs afterwards fails ("server closed the connection unexpectedly"). Rasa wraps every
tracker store in a ``FailSafeTrackerStore``, which then silently answers from an empty
in-memory tracker: the resident's conversation is handled as if it had just begun (a booking in
progress forgets where it was), and the turn's events are written to that replica's memory
instead of PostgreSQL (lost, and its next turns read PostgreSQL again). Which turn hits a dead
connection depends on which replica HAProxy picks and on what the earlier turns left in the
pools, hence a fault test that passed alone and failed after the others.

Here, on PostgreSQL:

- pooled connections are checked before use (``pool_pre_ping``) and replaced when dead;
- a read or a write that fails because PostgreSQL is unreachable or restarting
  (``OperationalError``) is tried again for up to ``retry_seconds`` (10 s), so a turn that
  arrives during the restart waits for it instead of running on an empty conversation. Only
  after that does Rasa's fail-safe take over, as before;
- a retried write publishes its events to the event broker once (Rasa's ``save`` streams the
  new events before writing them: retried as is, it would publish them twice).

Everything else (tables, statements, bot/patches/tracker_sql.py) is Rasa's SQLTrackerStore.

Use from endpoints.yml (same keys as ``type: SQL``)::

    tracker_store:
      type: bot.production.tracker_store.ProductionSQLTrackerStore
      dialect: postgresql
      url: ${POSTGRES_HOST}
      ...
      retry_seconds: 10      # optional
"""
from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, Awaitable, Callable, Dict, Optional, Set, Text, TypeVar

import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

logger = logging.getLogger(__name__)

DEFAULT_RETRY_SECONDS = 10.0
DEFAULT_CONNECT_TIMEOUT = 5
T = TypeVar("T")


def unreachable(error: BaseException) -> bool:
    """PostgreSQL down, restarting, or a connection it cut: worth trying again."""
    return isinstance(error, sa.exc.OperationalError) or (
        isinstance(error, sa.exc.DBAPIError) and bool(error.connection_invalidated))


class ProductionSQLTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` whose connections survive a PostgreSQL restart (module docstring)."""

    engine: sa.engine.Engine

    def __init__(
        self,
        domain: Optional[Domain] = None,
        dialect: Text = "postgresql",
        host: Optional[Text] = None,
        port: Optional[int] = None,
        db: Text = "rasa",
        username: Optional[Text] = None,
        password: Optional[Text] = None,
        event_broker: Optional[EventBroker] = None,
        login_db: Optional[Text] = None,
        query: Optional[Dict] = None,
        retry_seconds: Any = DEFAULT_RETRY_SECONDS,
        connect_timeout: Any = DEFAULT_CONNECT_TIMEOUT,
        **kwargs: Any,
    ) -> None:
        """Rasa's set-up (it waits for the database at start), then an engine that pings."""
        super().__init__(domain, dialect, host, port, db, username, password,  # type: ignore[arg-type]
                         event_broker, login_db, query, **kwargs)
        self.retry_seconds = float(retry_seconds)
        self._streamed: Set[int] = set()  # trackers whose events this save already published
        if self.engine.dialect.name != "postgresql":
            return
        url = self.engine.url
        options = create_engine_kwargs(url)
        connect_args = dict(options.pop("connect_args", {}))
        connect_args.setdefault("connect_timeout", int(connect_timeout))
        self.engine.dispose()
        self.engine = sa.create_engine(url, pool_pre_ping=True, connect_args=connect_args, **options)
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    async def _retrying(self, what: str, call: Callable[[], Awaitable[T]]) -> T:
        deadline = time.monotonic() + self.retry_seconds
        delay, failures = 0.1, 0
        while True:
            try:
                result = await call()
            except sa.exc.DBAPIError as error:
                if not unreachable(error) or time.monotonic() + delay > deadline:
                    raise
                failures += 1
                if failures == 1:
                    logger.warning("tracker store: PostgreSQL unreachable (%s) for a %s, trying again for up to "
                                   "%.0f s", error.orig.__class__.__name__ if error.orig else error, what,
                                   self.retry_seconds)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 1.0)
                continue
            if failures:
                logger.info("tracker store: PostgreSQL answered the %s again after %d failure(s)", what, failures)
            return result

    async def _retrieve(self, sender_id: Text,
                        fetch_events_from_all_sessions: bool) -> Optional[DialogueStateTracker]:
        return await self._retrying("read", lambda: super(ProductionSQLTrackerStore, self)._retrieve(
            sender_id, fetch_events_from_all_sessions))

    async def stream_events(self, tracker: DialogueStateTracker) -> None:
        if id(tracker) in self._streamed:
            return  # published by ``save`` before its first attempt
        await super().stream_events(tracker)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Publish the new events once, then write them, trying again while PostgreSQL restarts."""
        await self.stream_events(tracker)  # its read is retried by _retrieve
        self._streamed.add(id(tracker))
        try:
            await self._retrying("write", lambda: super(ProductionSQLTrackerStore, self).save(tracker))
        finally:
            self._streamed.discard(id(tracker))

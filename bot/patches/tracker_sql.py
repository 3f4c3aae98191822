"""Read and write conversations in Rasa's SQL tracker store with fewer, cheaper statements.

Rasa's ``SQLTrackerStore`` goes through the ORM for each turn: it builds its queries
anew, counts the stored events, then adds each new event as an ORM object, which the
unit of work flushes one INSERT at a time. About 15 ms of a 40 ms turn here (SQLite).

The same reads and writes are done here with prebuilt Core statements (compiled once,
then reused from SQLAlchemy's cache) and one multi-row INSERT. Same table, same rows,
same transaction shape (count and insert together), so the purge, Rasa's own store and
older conversations all keep working: tests/patches/test_tracker_sql.py compares both
ways on SQLite and PostgreSQL. With a PostgreSQL schema set (``POSTGRESQL_SCHEMA``)
Rasa's own code runs, since it checks the schema on every session.

On SQLite (the embedded default) the store also uses write-ahead logging with
``synchronous=NORMAL``: a commit no longer waits for the disk (about 2 ms a turn here).
A crash of Sésame loses nothing; a power cut may lose the last turns written, never
the file's consistency. Production uses PostgreSQL.
"""
from __future__ import annotations

import json
import os
from typing import Any, Dict, Optional

import sqlalchemy as sa
from rasa.core.tracker_store import POSTGRESQL_SCHEMA, SQLTrackerStore
from rasa.shared.core.events import SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

WRITTEN_FOR = {"rasa": "3.6.21", "SQLAlchemy": "1.4.54"}  # the versions this patch was written and tested against

_rasa_init = SQLTrackerStore.__init__
_rasa_save = SQLTrackerStore.save
_rasa_retrieve = SQLTrackerStore._retrieve


class _Statements:
    """The store's statements, built once per table."""

    def __init__(self, table: sa.Table) -> None:
        sender = sa.bindparam("sender_id")
        session_start = (sa.select(sa.func.max(table.c.timestamp))
                         .where(table.c.sender_id == sender, table.c.type_name == SessionStarted.type_name)
                         .scalar_subquery())
        # As Rasa's query: the events of the latest session, or all if none started.
        in_session = sa.and_(table.c.sender_id == sender,
                             sa.or_(table.c.timestamp >= session_start, session_start.is_(None)))
        self.current_session = sa.select(table.c.data).where(in_session).order_by(table.c.id)
        self.all_sessions = sa.select(table.c.data).where(table.c.sender_id == sender).order_by(table.c.id)
        self.count_current_session = sa.select(sa.func.count()).select_from(table).where(in_session)
        self.insert = table.insert()


_statements: Dict[int, _Statements] = {}


def statements(store: SQLTrackerStore) -> _Statements:
    table = store.SQLEvent.__table__
    if id(table) not in _statements:
        _statements[id(table)] = _Statements(table)
    return _statements[id(table)]


def _rasa_path() -> bool:
    return bool(os.environ.get(POSTGRESQL_SCHEMA))


def event_row(sender_id: str, event: Any) -> Dict[str, Any]:
    """One row of the events table, exactly as Rasa writes it."""
    data = event.as_dict()
    return {
        "sender_id": sender_id,
        "type_name": event.type_name,
        "timestamp": data.get("timestamp"),
        "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
        "action_name": data.get("name"),
        "data": json.dumps(data),
    }


async def save(self: SQLTrackerStore, tracker: DialogueStateTracker) -> None:
    """Store the events not stored yet, in one transaction."""
    if _rasa_path():
        return await _rasa_save(self, tracker)
    await self.stream_events(tracker)
    queries = statements(self)
    with self.engine.begin() as connection:
        stored = connection.execute(queries.count_current_session, {"sender_id": tracker.sender_id}).scalar_one()
        rows = [event_row(tracker.sender_id, event) for event in list(tracker.events)[stored:]]
        if rows:
            connection.execute(queries.insert, rows)


async def _retrieve(self: SQLTrackerStore, sender_id: str,
                    fetch_events_from_all_sessions: bool) -> Optional[DialogueStateTracker]:
    """The conversation's latest session (or all of it), as Rasa rebuilds it."""
    if _rasa_path():
        return await _rasa_retrieve(self, sender_id, fetch_events_from_all_sessions)
    queries = statements(self)
    query = queries.all_sessions if fetch_events_from_all_sessions else queries.current_session
    with self.engine.connect() as connection:
        data = connection.execute(query, {"sender_id": sender_id}).scalars().all()
    events = [json.loads(item) for item in data]
    if self.domain and events:
        return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
    return None


def _sqlite_synchronous_normal(dbapi_connection: Any, _record: Any) -> None:
    """Per connection: SQLite does not keep it in the file."""
    dbapi_connection.execute("PRAGMA synchronous=NORMAL")


def __init__(self: SQLTrackerStore, *args: Any, **kwargs: Any) -> None:
    """Rasa's set-up, then, on SQLite, write-ahead logging and a kept connection.

    SQLAlchemy 1.4 opens a new connection to a SQLite file for every session; opening it
    and mapping the write-ahead log cost about 1 ms, twice a turn. The store runs on the
    server's event-loop thread, so one connection per thread is kept instead.
    """
    _rasa_init(self, *args, **kwargs)
    if self.engine.dialect.name == "sqlite":
        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(url, poolclass=sa.pool.SingletonThreadPool)
        sa.event.listen(self.engine, "connect", _sqlite_synchronous_normal)
        with self.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA journal_mode=WAL")  # kept in the file itself
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)


def install() -> None:
    SQLTrackerStore.__init__ = __init__  # type: ignore[method-assign]
    SQLTrackerStore.save = save  # type: ignore[method-assign]
    SQLTrackerStore._retrieve = _retrieve  # type: ignore[method-assign]


def uninstall() -> None:
    SQLTrackerStore.__init__ = _rasa_init  # type: ignore[method-assign]
    SQLTrackerStore.save = _rasa_save  # type: ignore[method-assign]
    SQLTrackerStore._retrieve = _rasa_retrieve  # type: ignore[method-assign]

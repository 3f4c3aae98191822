"""One SQLAlchemy engine and session factory for the app database.

All capabilities share one declarative ``Base`` so Alembic sees every table.
SQLite (embedded default) and PostgreSQL (``DATABASE_URL``) are both supported.
"""
from __future__ import annotations

import uuid
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Iterator

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.orm import Session, declarative_base, sessionmaker
from sqlalchemy.pool import QueuePool

from actions.common.settings import get_settings

Base = declarative_base()


def make_engine(url: str) -> Engine:
    """Create an engine tuned for the backend (WAL and FK checks on SQLite)."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # A pool of kept connections: SQLAlchemy 1.4 otherwise opens a new SQLite
        # connection (and re-runs the pragmas) for every query.
        engine = create_engine(
            url, future=True, poolclass=QueuePool, pool_size=5, max_overflow=20, pool_timeout=60,
            connect_args={"check_same_thread": False, "timeout": 30},
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    return create_engine(url, future=True, pool_pre_ping=True)


@lru_cache(maxsize=4)
def get_engine(url: str | None = None) -> Engine:
    """Return the shared engine for ``url`` (default: the configured database)."""
    return make_engine(url or get_settings().database_url)


def session_factory(engine: Engine | None = None) -> sessionmaker:
    """A ``sessionmaker`` bound to ``engine`` (default: the shared engine)."""
    return sessionmaker(bind=engine or get_engine(), future=True, expire_on_commit=False)


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """Open a session, commit on success, roll back on any error."""
    session = session_factory(engine)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@contextmanager
def read_connection(engine: Engine) -> Iterator[Connection]:
    """A pooled connection for plain reads outside any transaction: no BEGIN / ROLLBACK round trips.

    Searches run on every resident's turn and each is one SELECT, consistent on its own.
    psycopg2: its ``autocommit`` flag is set and reset client-side, as SQLAlchemy's own pre-ping
    does (``execution_options(isolation_level="AUTOCOMMIT")`` sends a SET each way instead, two
    more round trips). pysqlite never opens a transaction for a SELECT: SQLite needs nothing.
    """
    with engine.connect() as connection:
        raw = connection.connection.dbapi_connection if engine.dialect.driver == "psycopg2" else None
        if raw is not None:
            raw.autocommit = True
        try:
            yield connection
        finally:
            if raw is not None and not raw.closed:
                raw.autocommit = False


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    """An ORM session on a :func:`read_connection`."""
    with read_connection(engine) as connection, Session(bind=connection, future=True) as session:
        yield session


@contextmanager
def throwaway_database(server_url: str, prefix: str = "sesame_tmp") -> Iterator[str]:
    """A fresh PostgreSQL database on the server of ``server_url``, dropped afterwards.

    Tests and benchmarks use it so they never touch a real database nor leave one behind.
    Yields the new database's URL.
    """
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = make_engine(server_url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                         {"n": name})
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()

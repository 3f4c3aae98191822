"""Shared fixtures: databases (SQLite always, PostgreSQL where it runs) and service checks.

Tests of the production mode use the real PostgreSQL, Redis and RabbitMQ on the machine.
Where one is absent they skip with the reason, except when CI=true: then it is a failure.
"""
from __future__ import annotations

import os
import socket
from typing import Iterator

import pytest
from sqlalchemy.engine import Engine

from actions.common.db import make_engine, throwaway_database
from actions.common.migrate import upgrade

POSTGRES_ADMIN_URL = os.environ.get(
    "SESAME_TEST_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test"
)


def service_available(host: str, port: int) -> bool:
    """True when something accepts TCP connections on host:port."""
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def require_service(name: str, host: str, port: int) -> None:
    """Skip (or fail under CI=true) when a production service is not reachable."""
    if service_available(host, port):
        return
    reason = f"{name} is not running on {host}:{port}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason}, and CI=true requires it")
    pytest.skip(reason)


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    """A fresh, migrated SQLite app database in a temporary folder."""
    url = f"sqlite:///{tmp_path / 'app.db'}"
    upgrade(url)
    return url


@pytest.fixture
def sqlite_engine(sqlite_url) -> Iterator[Engine]:
    engine = make_engine(sqlite_url)
    yield engine
    engine.dispose()


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, migrated PostgreSQL schema-isolated database (dropped afterwards)."""
    require_service("PostgreSQL", "127.0.0.1", 5432)
    with throwaway_database(POSTGRES_ADMIN_URL, "sesame_test") as url:
        upgrade(url)
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request) -> str:
    """Run a test on both backends: the embedded default and production's PostgreSQL."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_url")
    return request.getfixturevalue("pg_url")


@pytest.fixture
def db_engine(db_url) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def trained_model():
    """The model for the current config, domain and data (trained once if they changed)."""
    from tools.model import ensure_model

    return ensure_model()


@pytest.fixture(scope="session")
def sesame_stack(trained_model, tmp_path_factory):
    """Sésame as `make run` starts it (real action server, Rasa, web, worker) on free ports,
    with its own SQLite files; started once for every test that needs it."""
    from tools.stack import Stack, free_port

    stack = Stack(
        model=trained_model,
        var_dir=tmp_path_factory.mktemp("sesame-var"),
        rasa_port=free_port(),
        actions_port=free_port(),
        web_port=free_port(),
    )
    stack.start()
    yield stack
    stack.stop()

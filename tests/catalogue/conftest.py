"""Catalogue fixtures: migrated databases with the reviewed seed loaded, and export files."""
from __future__ import annotations

from typing import Iterator

import pytest
from sqlalchemy.engine import Engine

from actions.catalogue.seed import load_seed
from actions.common.db import make_engine


@pytest.fixture
def seeded_engine(db_url) -> Iterator[Engine]:
    """SQLite and PostgreSQL, each with the Chambéry seed loaded."""
    engine = make_engine(db_url)
    load_seed(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def sqlite_seeded(sqlite_url) -> Iterator[Engine]:
    """The seed on SQLite only: for tests of ranking logic, not of the backend."""
    engine = make_engine(sqlite_url)
    load_seed(engine)
    yield engine
    engine.dispose()



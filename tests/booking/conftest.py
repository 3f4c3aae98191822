"""Booking fixtures: the real seed files loaded into a fresh database, and a fixed clock."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from actions.booking.seed import seed
from actions.booking.service import BookingService

ROOT = Path(__file__).resolve().parents[2]
# Monday 30 November 2026, 09:00 in Paris. The demo planning has La Dynamo on Tuesday 9:00-12:00.
MONDAY_9H = datetime(2026, 11, 30, 8, 0, tzinfo=timezone.utc)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(MONDAY_9H)


@pytest.fixture
def seeded_engine(db_engine):
    seed(db_engine, ROOT / "data")
    return db_engine


@pytest.fixture
def service(seeded_engine, clock) -> BookingService:
    return BookingService(seeded_engine, clock=clock)


@pytest.fixture
def app_db(sqlite_url, monkeypatch):
    """The action server's settings pointed at a fresh SQLite app database, caches cleared."""
    from actions.booking import service as booking_service
    from actions.common import db
    from actions.common.settings import reset_settings_cache

    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    reset_settings_cache()
    db.get_engine.cache_clear()
    booking_service.app_service.cache_clear()
    yield sqlite_url
    booking_service.app_service.cache_clear()
    db.get_engine.cache_clear()
    reset_settings_cache()

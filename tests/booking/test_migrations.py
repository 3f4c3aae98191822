"""Booking migrations create exactly the models, and slot search reads through the indexes."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import event


def test_booking_migrations_create_exactly_the_models(db_engine) -> None:
    """Hand-written migrations and models must not drift (checked on both backends)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from actions.common.db import Base

    with db_engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert [d for d in diff if "booking_" in repr(d)] == []


def test_busy_query_reads_ranges_of_the_indexes(sqlite_engine) -> None:
    """SQLite: appointments by (conseiller, start) range, absences by end: never a scan of history."""
    from actions.booking.queries import busy_rows

    seen: list[tuple[str, tuple]] = []
    event.listen(sqlite_engine, "before_cursor_execute", lambda *args: seen.append((args[2], args[3])))
    with sqlite_engine.connect() as conn:
        busy_rows(conn, [1, 2], datetime(2027, 1, 4, tzinfo=timezone.utc), datetime(2027, 1, 8, tzinfo=timezone.utc), [1])
        statement, parameters = seen[-1]
        plan = " ".join(row[-1] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters))
    assert "USING INDEX ix_booking_appt_conseiller_start (conseiller_id=? AND starts_at>? AND starts_at<?)" in plan
    assert "USING INDEX ix_booking_absence_ends" in plan

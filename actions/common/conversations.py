"""Conversations in Rasa's tracker store: purge them on schedule, erase one on request.

Rasa keeps every message of every conversation forever in its SQL tracker store (the
`events` table, SQLite by default, PostgreSQL in production). Messages can hold
personal facts a resident typed, so Sésame keeps them only as long as a conseiller
may need to look back: a conversation silent for `SESAME_RETENTION_CONVERSATIONS_DAYS`
(older name `SESAME_CONVERSATION_RETENTION_DAYS`, 30 by default) is deleted whole, never
cut in the middle. The worker's daily pass (:func:`actions.common.retention.purge_all`)
calls :func:`purge_conversations`. A resident's request to be forgotten is served by
``erase`` (`python -m actions.common.conversations erase ID`).
"""
from __future__ import annotations

import argparse
import logging
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Engine

from actions.common.privacy import pseudonym
from actions.common.settings import RETENTION_SETTINGS, get_settings

log = logging.getLogger(__name__)

DEFAULT_RETENTION_DAYS = RETENTION_SETTINGS["conversations"][2]


def _has_events(engine: Engine) -> bool:
    """Rasa creates its store on its first start; before that there is nothing to purge."""
    database = engine.url.database
    if engine.url.get_backend_name() == "sqlite" and database and not Path(database).exists():
        return False
    return inspect(engine).has_table("events")


def purge_conversations(engine: Engine, now: datetime, days: int = DEFAULT_RETENTION_DAYS) -> int:
    """Delete every conversation whose last event is older than ``days``; returns how many."""
    if not _has_events(engine):
        return 0
    cutoff = (now - timedelta(days=days)).timestamp()
    with engine.begin() as connection:
        senders = [row[0] for row in connection.execute(text(
            "SELECT sender_id FROM events GROUP BY sender_id HAVING MAX(timestamp) < :cutoff"), {"cutoff": cutoff})]
        for start in range(0, len(senders), 500):
            batch = senders[start:start + 500]
            marks = ", ".join(f":s{i}" for i in range(len(batch)))
            connection.execute(text(f"DELETE FROM events WHERE sender_id IN ({marks})"),
                               {f"s{i}": sender for i, sender in enumerate(batch)})
    return len(senders)


def erase(engine: Engine, sender_id: str) -> int:
    """Delete one conversation entirely (a resident's request); returns the events removed."""
    if not _has_events(engine):
        return 0
    with engine.begin() as connection:
        return connection.execute(text("DELETE FROM events WHERE sender_id = :sender"), {"sender": sender_id}).rowcount


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("purge", help="delete conversations older than the retention period")
    erase_parser = commands.add_parser("erase", help="delete one conversation (the resident asked)")
    erase_parser.add_argument("sender_id", help="the conversation id shown in the conseiller's summary")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    settings = get_settings()
    engine = create_engine(settings.tracker_url)
    if args.command == "purge":
        days = settings.retention_conversations_days
        count = purge_conversations(engine, datetime.now(timezone.utc), days)
        print(f"{count} conversation(s) older than {days} days deleted.")
    else:
        count = erase(engine, args.sender_id)
        log.info("erased conversation %s (%d events)", pseudonym(args.sender_id), count)
        print(f"{count} message(s) and event(s) deleted." if count else "No conversation with that id.")


if __name__ == "__main__":
    main()

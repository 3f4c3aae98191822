"""The outbox sender: ``python -m actions.notifications.worker`` (one instance; loops until stopped).

Each due message is claimed with a conditional UPDATE (pending → sending), so two
workers started by mistake never send the same message twice, on SQLite and
PostgreSQL alike. Failures are retried with a growing delay, then marked failed.
It also runs, once a day, the retention pass over every kind of personal data
(:func:`actions.common.retention.purge_all`: conversations, cases, consents, appointments'
contact data, outbox, audit log, logs), and every 10 minutes the handoff chores (expired
cases closed, console sessions purged, the bot resumed).
"""
from __future__ import annotations

import argparse
import logging
import signal
import time as clock
from datetime import datetime, timedelta, timezone
from typing import Callable

from sqlalchemy import select, update
from sqlalchemy.engine import Engine

from actions.common.db import get_engine, session_scope
from actions.common.privacy import pseudonym
from actions.notifications.models import CANCELLED, FAILED, PENDING, SENT, Notification
from actions.notifications.senders import RecipientRefused, SendFailed, Sender, sender_for

log = logging.getLogger(__name__)

SENDING = "sending"
MAX_ATTEMPTS = 5
STUCK_AFTER = timedelta(minutes=10)


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc).replace(tzinfo=None) if moment.tzinfo else moment


def _claim(engine: Engine, note_id: int) -> bool:
    with session_scope(engine) as session:
        result = session.execute(
            update(Notification).where(Notification.id == note_id, Notification.status == PENDING)
            .values(status=SENDING)
        )
        return result.rowcount == 1


def release_stuck(engine: Engine, now: datetime) -> int:
    """Messages left 'sending' by a crashed worker go back to pending."""
    with session_scope(engine) as session:
        result = session.execute(
            update(Notification)
            .where(Notification.status == SENDING, Notification.due_at < _naive(now) - STUCK_AFTER)
            .values(status=PENDING)
        )
        return int(result.rowcount or 0)


def run_once(
    engine: Engine, now: datetime, senders: Callable[[str], Sender] = sender_for, batch: int = 50
) -> dict[str, int]:
    """Send every due message once; returns counts by outcome."""
    counts = {"sent": 0, "retry": 0, "failed": 0, "refused": 0}
    with session_scope(engine) as session:
        due = list(session.execute(
            select(Notification.id, Notification.channel, Notification.recipient, Notification.body,
                   Notification.attempts)
            .where(Notification.status == PENDING, Notification.due_at <= _naive(now))
            .order_by(Notification.due_at, Notification.id).limit(batch)
        ))
    cache: dict[str, Sender] = {}
    for note_id, channel, recipient, body, attempts in due:
        if not _claim(engine, note_id):
            continue
        values: dict[str, object]
        try:
            sender = cache.get(channel) or cache.setdefault(channel, senders(channel))
            provider_id = sender.send(recipient, body)
            values = {"status": SENT, "sent_at": _naive(now), "provider_message_id": provider_id[:120],
                      "attempts": attempts + 1, "last_error": ""}
            counts["sent"] += 1
        except RecipientRefused as exc:
            values = {"status": CANCELLED, "last_error": str(exc)[:300], "attempts": attempts + 1}
            counts["refused"] += 1
        except Exception as exc:  # SendFailed, provider not configured, import error…
            reason = str(exc)[:200] if isinstance(exc, SendFailed) else type(exc).__name__
            if attempts + 1 >= MAX_ATTEMPTS:
                values = {"status": FAILED, "attempts": attempts + 1, "last_error": reason}
                counts["failed"] += 1
            else:
                retry_at = _naive(now) + timedelta(minutes=2 ** (attempts + 1))
                values = {"status": PENDING, "attempts": attempts + 1, "last_error": reason, "due_at": retry_at}
                counts["retry"] += 1
        with session_scope(engine) as session:
            session.execute(update(Notification).where(Notification.id == note_id).values(**values))
        log.info("notification %s via %s to %s: %s", note_id, channel, pseudonym(recipient), values["status"])
    return counts


def _retention_purge(engine: Engine, now: datetime) -> None:
    """Delete what is kept past its retention, every kind at once; never stops the worker."""
    from actions.common.retention import purge_all

    try:
        purge_all(now, engine)  # logs its counts; a kind that fails is logged and retried tomorrow
    except Exception:  # noqa: BLE001 - the outbox must keep running; the next pass retries
        log.exception("retention purge failed")


def _handoff_chores(engine: Engine, now: datetime) -> None:
    """Expire and purge cases; a failure is logged and retried at the next pass."""
    from actions.handoff import housekeeping  # lazy: the handoff capability is optional here

    try:
        counts = housekeeping.run(engine, now, purge_closed=False)  # the daily retention pass does it
        if any(counts.values()):
            log.info("handoff chores: %s", counts)
    except Exception:  # noqa: BLE001 - the outbox must keep running
        log.exception("handoff chores failed")


def _erasures(engine: Engine, now: datetime) -> None:
    """Erase the conversations residents asked to erase, once Rasa has written their last turn."""
    from actions.common.db import session_scope
    from actions.common.settings import get_settings
    from actions.privacy.rights import erase_waiting_conversations

    try:
        with session_scope(engine) as session:
            done = erase_waiting_conversations(session, get_engine(get_settings().tracker_url), now)
        if done:
            log.info("erased %d conversation(s) at their residents' request", done)
    except Exception:  # noqa: BLE001 - retried at the next pass, a few seconds later
        log.exception("conversation erasure failed")


def main() -> None:
    parser = argparse.ArgumentParser(description="Send due notifications (confirmations, reminders).")
    parser.add_argument("--once", action="store_true", help="send what is due, then exit")
    # A conseiller's SMS or Telegram reply waits at most this long in the outbox.
    parser.add_argument("--interval", type=float, default=5.0, help="seconds between two passes")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    engine = get_engine()
    stopping = {"now": False}
    signal.signal(signal.SIGTERM, lambda *_: stopping.update(now=True))
    last_purge: datetime | None = None
    last_chores: datetime | None = None
    while True:
        now = datetime.now(timezone.utc)
        release_stuck(engine, now)
        counts = run_once(engine, now)
        if any(counts.values()):
            log.info("pass: %s", counts)
        _erasures(engine, now)
        if last_purge is None or now - last_purge > timedelta(hours=24):
            _retention_purge(engine, now)
            last_purge = now
        if last_chores is None or now - last_chores > timedelta(minutes=10):
            _handoff_chores(engine, now)
            last_chores = now
        if args.once or stopping["now"]:
            return
        clock.sleep(args.interval)


if __name__ == "__main__":
    main()

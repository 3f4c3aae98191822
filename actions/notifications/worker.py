"""The outbox sender: ``python -m actions.notifications.worker`` (one active instance; loops until stopped).

Each due message is claimed with a conditional UPDATE (pending → sending), so two
workers started by mistake never send the same message twice, on SQLite and
PostgreSQL alike. Failures are retried with a growing delay, then marked failed.
It also runs, once a day, the retention pass over every kind of personal data
(:func:`actions.common.retention.purge_all`: conversations, cases, consents, appointments'
contact data, outbox, audit log, logs), and every 10 minutes the handoff chores (expired
cases closed, console sessions purged, the bot resumed).

Several workers may run (production starts two): on PostgreSQL only the holder of an
advisory lock works, the others wait and take over when it dies
(:mod:`actions.notifications.leader`). With ``SESAME_WORKER_HEALTH_PORT`` set, the worker
answers ``GET /healthz`` on that port (``SESAME_WORKER_HEALTH_HOST``, 127.0.0.1 by default):
200 with its role (leader or standby) while its loop turns, 503 once the loop has been
stuck for ``3 × interval + 30`` seconds.
"""
from __future__ import annotations

import argparse
import json
import logging
import signal
import threading
import time as clock
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from datetime import datetime, timedelta, timezone
from typing import Callable

from sqlalchemy import select, update
from sqlalchemy.engine import Engine

from actions.common.db import get_engine, session_scope
from actions.common.privacy import pseudonym
from actions.common.settings import get_settings
from actions.notifications.leader import LeaderElection
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
    from actions.privacy.rights import erase_waiting_conversations

    try:
        with session_scope(engine) as session:
            done = erase_waiting_conversations(session, get_engine(get_settings().tracker_url), now)
        if done:
            log.info("erased %d conversation(s) at their residents' request", done)
    except Exception:  # noqa: BLE001 - retried at the next pass, a few seconds later
        log.exception("conversation erasure failed")


class WorkerHealth:
    """What ``GET /healthz`` says: the role, the last loop turn, the last pass's error."""

    def __init__(self, name: str, interval: float) -> None:
        self.name = name
        self.interval = interval
        self.role = "starting"
        self.last_loop = clock.monotonic()
        self.last_pass_at = ""
        self.last_error = ""
        self.passes = 0

    def state(self) -> tuple[int, dict]:
        stuck = clock.monotonic() - self.last_loop > 3 * self.interval + 30
        body = {"status": "stuck" if stuck else "ok", "worker": self.name, "role": self.role,
                "passes": self.passes, "last_pass_at": self.last_pass_at, "last_error": self.last_error}
        return (503 if stuck else 200), body


def serve_health(health: WorkerHealth, host: str, port: int) -> ThreadingHTTPServer:
    """Answer GET /healthz in a daemon thread (liveness and readiness probes, make run-prod)."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            if self.path.split("?")[0] != "/healthz":
                self.send_error(404)
                return
            status, body = health.state()
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *_: object) -> None:  # probes every few seconds: not worth a log line
            return

    server = ThreadingHTTPServer((host, port), Handler)
    threading.Thread(target=server.serve_forever, name="worker-health", daemon=True).start()
    return server


def one_pass(engine: Engine, now: datetime, state: dict) -> None:
    """Everything the leader does once: outbox, erasures, and the daily and 10-minute chores."""
    release_stuck(engine, now)
    counts = run_once(engine, now)
    if any(counts.values()):
        log.info("pass: %s", counts)
    _erasures(engine, now)
    if state.get("last_purge") is None or now - state["last_purge"] > timedelta(hours=24):
        _retention_purge(engine, now)
        state["last_purge"] = now
    if state.get("last_chores") is None or now - state["last_chores"] > timedelta(minutes=10):
        _handoff_chores(engine, now)
        state["last_chores"] = now


def main() -> None:
    parser = argparse.ArgumentParser(description="Send due notifications (confirmations, reminders).")
    parser.add_argument("--once", action="store_true", help="send what is due, then exit")
    # A conseiller's SMS or Telegram reply waits at most this long in the outbox.
    parser.add_argument("--interval", type=float, default=5.0, help="seconds between two passes")
    parser.add_argument("--standby-poll", type=float,
                        default=get_settings().worker_standby_poll,
                        help="seconds between two tries of a standby worker to become the leader")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    engine = get_engine()
    election = LeaderElection(get_settings().database_url)
    health = WorkerHealth(election.name, args.interval)
    settings = get_settings()
    if settings.worker_health_port:
        serve_health(health, settings.worker_health_host, settings.worker_health_port)
    stopping = {"now": False}
    signal.signal(signal.SIGTERM, lambda *_: stopping.update(now=True))
    state: dict = {}
    try:
        while True:
            health.last_loop = clock.monotonic()
            leader = election.is_leader()
            health.role = "leader" if leader else "standby"
            if leader:
                now = datetime.now(timezone.utc)
                try:
                    one_pass(engine, now, state)
                    health.passes += 1
                    health.last_pass_at = now.isoformat(timespec="seconds")
                    health.last_error = ""
                except Exception as exc:  # noqa: BLE001 - database restarting: the next pass retries
                    health.last_error = type(exc).__name__
                    log.warning("pass failed (%s); retrying at the next pass", type(exc).__name__)
            elif election.last_error:
                health.last_error = election.last_error
            if args.once or stopping["now"]:
                return
            clock.sleep(args.interval if leader else args.standby_poll)
    finally:
        election.release()  # a clean stop hands over at once


if __name__ == "__main__":
    main()

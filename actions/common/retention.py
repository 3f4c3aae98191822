"""Retention of personal data, kind by kind: ``purge_all(now)`` deletes what has been kept long enough.

Each kind of personal data has its own retention, set by its own environment variable (read
once in :mod:`actions.common.settings`) and justified in ``docs/donnees-personnelles.md``,
the city's register of what Sésame stores. The notification worker runs :func:`purge_all`
once a day (``python -m actions.notifications.worker``); ``python -m actions.common.retention``
runs it by hand. Every kind is purged in its own transaction: one that fails is logged and
retried the next day, the others still run.

Kinds (see :data:`KINDS`):

- ``conversations``: Rasa's tracker store, a conversation silent for the retention is deleted whole;
- ``channel_contacts``: the number behind an SMS conversation and the Telegram buttons' payloads,
  gone with the conversation (same retention), except a number an open case still needs to reply;
- ``sms_rate_windows``: the per-number message counters, useless once their window is over (1 day);
- ``cases``: handoff cases closed for the retention, with their messages and notes;
- ``consents``: a consent record is kept while its case exists and until the retention after it was
  given, as long as it may be needed to prove the consent, then deleted;
- ``appointments``: first name, phone and chat id of an appointment, erased after it took place;
- ``outbox``: messages sent, failed or withdrawn, deleted after the retention (pending ones stay);
- ``audit``: the console's audit log;
- ``logs``: the JSON-lines files of the development senders (``var/notifications.log`` and the SMS
  log provider's outbox), which hold message texts: older lines are removed.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable, Iterable, Optional, Sequence

from sqlalchemy import create_engine, delete, func, select
from sqlalchemy.engine import Engine

from actions.common.db import get_engine, session_scope
from actions.common.settings import RETENTION_SETTINGS, Settings, get_settings

log = logging.getLogger(__name__)


@dataclass
class Stores:
    """Where the personal data lives: the app database, Rasa's tracker store, the log files."""

    app: Engine
    tracker: Optional[Engine]
    log_files: Sequence[Path]


@dataclass(frozen=True)
class Kind:
    """One kind of personal data: how long it is kept and how it is purged."""

    name: str
    #: Key in ``RETENTION_SETTINGS`` whose variable sets the days; None for a fixed retention.
    setting: Optional[str]
    purge: Callable[[Stores, datetime, int], int]
    fixed_days: int = 0

    @property
    def variable(self) -> Optional[str]:
        return RETENTION_SETTINGS[self.setting][0] if self.setting else None

    def days(self, settings: Settings) -> int:
        return getattr(settings, f"retention_{self.setting}_days") if self.setting else self.fixed_days


def _naive_utc(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc).replace(tzinfo=None) if moment.tzinfo else moment


def _aware_utc(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc) if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


# ---------------------------------------------------------------- one function per kind

def purge_conversations(stores: Stores, now: datetime, days: int) -> int:
    """Conversations (tracker ``events``) whose last event is older than ``days``; returns how many."""
    from actions.common.conversations import purge_conversations as purge_tracker

    if stores.tracker is None:
        return 0
    return purge_tracker(stores.tracker, _aware_utc(now), days)


def purge_channel_contacts(stores: Stores, now: datetime, days: int) -> int:
    """SMS numbers not heard from for ``days`` (unless an open case needs them) and old Telegram buttons."""
    from messaging.state.models import SmsContact, TelegramCallback
    from actions.handoff.models import OPEN_STATUSES, Case

    limit = _aware_utc(now) - timedelta(days=days)
    open_conversations = select(Case.conversation_id).where(Case.status.in_(OPEN_STATUSES))
    with session_scope(stores.app) as session:
        contacts = session.execute(
            delete(SmsContact).where(SmsContact.updated_at < limit, SmsContact.sender_id.not_in(open_conversations))
            .execution_options(synchronize_session=False)
        ).rowcount
        callbacks = session.execute(delete(TelegramCallback).where(TelegramCallback.created_at < limit)).rowcount
    return int(contacts or 0) + int(callbacks or 0)


def purge_rate_windows(stores: Stores, now: datetime, days: int) -> int:
    """Per-number message counters whose window started more than ``days`` ago."""
    from messaging.state.models import SmsRateWindow

    limit = _aware_utc(now) - timedelta(days=days)
    with session_scope(stores.app) as session:
        return int(session.execute(delete(SmsRateWindow).where(SmsRateWindow.window_start < limit)).rowcount or 0)


def purge_cases(stores: Stores, now: datetime, days: int) -> int:
    """Cases closed more than ``days`` ago, with their messages and notes (consents are kept apart)."""
    from actions.handoff import cases

    with session_scope(stores.app) as session:
        return cases.purge_closed(session, _naive_utc(now), days)


def purge_consents(stores: Stores, now: datetime, days: int) -> int:
    """Consent records given more than ``days`` ago whose case no longer exists.

    A consent proves that the resident agreed to send their request to a conseiller: it is kept
    as long as the case it allowed exists, whatever its age, and then only until ``days`` after it
    was given. Cases are purged first in :func:`purge_all`, so both may go the same day.
    """
    from actions.handoff.models import Case, Consent

    limit = _naive_utc(now) - timedelta(days=days)
    case_still_there = select(Case.id).where(Case.id == Consent.case_id).exists()
    with session_scope(stores.app) as session:
        return int(session.execute(
            delete(Consent).where(Consent.given_at < limit, ~case_still_there)
            .execution_options(synchronize_session=False)
        ).rowcount or 0)


def purge_appointments(stores: Stores, now: datetime, days: int) -> int:
    """Contact data of appointments that ended more than ``days`` ago (the appointment itself stays)."""
    from actions.booking.retention import purge_contacts

    return purge_contacts(stores.app, now, days)


def purge_outbox(stores: Stores, now: datetime, days: int) -> int:
    """Outbox messages sent, failed or withdrawn more than ``days`` ago (pending ones always stay)."""
    from actions.notifications.models import CANCELLED, FAILED, SENT, Notification

    limit = _naive_utc(now) - timedelta(days=days)
    with session_scope(stores.app) as session:
        return int(session.execute(
            delete(Notification).where(Notification.status.in_((SENT, FAILED, CANCELLED)),
                                       func.coalesce(Notification.sent_at, Notification.due_at) < limit)
            .execution_options(synchronize_session=False)
        ).rowcount or 0)


def purge_audit(stores: Stores, now: datetime, days: int) -> int:
    """Audit log lines older than ``days``."""
    from actions.handoff.models import AuditEntry

    limit = _naive_utc(now) - timedelta(days=days)
    with session_scope(stores.app) as session:
        return int(session.execute(delete(AuditEntry).where(AuditEntry.at < limit)).rowcount or 0)


def _line_time(line: str) -> Optional[datetime]:
    try:
        return _aware_utc(datetime.fromisoformat(json.loads(line)["at"]))
    except (ValueError, KeyError, TypeError):
        return None


def prune_json_lines(path: Path, limit: datetime) -> int:
    """Remove the lines of a JSON-lines file whose ``at`` is before ``limit``; returns how many.

    Lines without a readable ``at`` are kept (nothing says they are old). The file is replaced
    atomically; a line appended by another process during the few milliseconds of the rewrite
    may be lost, which these development logs can afford.
    """
    if not path.is_file():
        return 0
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if (_line_time(line) or limit) >= limit]
    removed = len(lines) - len(kept)
    if removed:
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.writelines(kept)
        os.replace(temporary, path)
    return removed


def purge_logs(stores: Stores, now: datetime, days: int) -> int:
    """Lines older than ``days`` in the development senders' JSON-lines logs."""
    limit = _aware_utc(now) - timedelta(days=days)
    return sum(prune_json_lines(path, limit) for path in stores.log_files)


#: Every kind, in the order of a pass (cases before consents: a purged case frees its consent).
KINDS: tuple[Kind, ...] = (
    Kind("conversations", "conversations", purge_conversations),
    Kind("channel_contacts", "conversations", purge_channel_contacts),
    Kind("sms_rate_windows", None, purge_rate_windows, fixed_days=1),
    Kind("cases", "cases", purge_cases),
    Kind("consents", "consents", purge_consents),
    Kind("appointments", "appointments", purge_appointments),
    Kind("outbox", "outbox", purge_outbox),
    Kind("audit", "audit", purge_audit),
    Kind("logs", "logs", purge_logs),
)


def default_log_files(settings: Settings) -> list[Path]:
    """The JSON-lines logs the development senders write (recipients pseudonymised, texts in clear)."""
    return [settings.var_dir / "notifications.log", settings.sms_outbox]


def purge_all(
    now: datetime,
    engine: Engine | None = None,
    tracker_engine: Engine | None = None,
    *,
    log_files: Iterable[Path] | None = None,
    kinds: Iterable[str] | None = None,
) -> dict[str, Optional[int]]:
    """One retention pass over every kind; returns what each deleted (None: that kind failed, see the log).

    ``engine`` defaults to the app database, ``tracker_engine`` to Rasa's tracker store as the
    settings name it (``SESAME_TRACKER_URL`` or the endpoints variables), ``log_files`` to the
    development senders' logs.
    """
    settings = get_settings()
    own_tracker = tracker_engine is None
    tracker = create_engine(settings.tracker_url) if own_tracker else tracker_engine
    stores = Stores(app=engine or get_engine(), tracker=tracker,
                    log_files=list(default_log_files(settings) if log_files is None else log_files))
    wanted = set(kinds) if kinds is not None else None
    counts: dict[str, Optional[int]] = {}
    try:
        for kind in KINDS:
            if wanted is not None and kind.name not in wanted:
                continue
            try:
                counts[kind.name] = kind.purge(stores, now, kind.days(settings))
            except Exception:  # noqa: BLE001 - one kind failing must not keep the others' data longer
                log.exception("retention purge of %s failed; retried at the next pass", kind.name)
                counts[kind.name] = None
    finally:
        if own_tracker and tracker is not None:
            tracker.dispose()
    log.info("retention purge: %s", ", ".join(f"{name}={count}" for name, count in counts.items()))
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description="Delete the personal data kept past its retention, now.")
    parser.add_argument("--kind", action="append", choices=[kind.name for kind in KINDS],
                        help="only this kind (repeatable; default: every kind)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    settings = get_settings()
    counts = purge_all(datetime.now(timezone.utc), kinds=args.kind)
    for kind in KINDS:
        if kind.name in counts:
            count = counts[kind.name]
            print(f"{kind.name}: {'FAILED (see the log)' if count is None else count} "
                  f"(kept {kind.days(settings)} days{', ' + kind.variable if kind.variable else ''})")
    if any(count is None for count in counts.values()):
        raise SystemExit(1)


if __name__ == "__main__":
    main()

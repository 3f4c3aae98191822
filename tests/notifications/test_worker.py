"""The outbox worker: due messages leave once, failures are retried, nothing leaks a phone number."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from actions.common.db import session_scope
from actions.common.settings import reset_settings_cache
from actions.notifications.models import CANCELLED, FAILED, PENDING, SENT, Notification
from actions.notifications.outbox import enqueue
from actions.notifications.senders import DevLogSender, SendFailed
from actions.notifications.worker import MAX_ATTEMPTS, run_once

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)
PHONE = "+33612345678"


def queue(engine, key: str, due: datetime, channel: str = "sms") -> None:
    with session_scope(engine) as s:
        enqueue(s, dedupe_key=key, kind="booking_reminder", channel=channel, recipient=PHONE,
                body="Sésame : rappel de votre rendez-vous.", due_at=due, now=NOW)


def statuses(engine) -> dict[str, str]:
    with session_scope(engine) as s:
        return {n.dedupe_key: n.status for n in s.scalars(select(Notification))}


class UnreachableProvider:
    """An operator that is down (the external boundary, not our code)."""

    def send(self, recipient: str, body: str) -> str:
        raise SendFailed("provider unreachable")


def test_due_messages_are_sent_once_and_future_ones_wait(db_engine, tmp_path: Path) -> None:
    log_file = tmp_path / "notifications.log"
    queue(db_engine, "now", NOW - timedelta(minutes=1))
    queue(db_engine, "tomorrow", NOW + timedelta(days=1))
    senders = lambda channel: DevLogSender(log_file, channel)  # noqa: E731
    assert run_once(db_engine, NOW, senders)["sent"] == 1
    assert run_once(db_engine, NOW, senders)["sent"] == 0  # never twice
    assert statuses(db_engine) == {"now": SENT, "tomorrow": PENDING}
    lines = log_file.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 and PHONE not in lines[0] and "0612345678" not in lines[0]
    assert json.loads(lines[0])["body"].startswith("Sésame : rappel")


def test_failures_are_retried_later_then_given_up(db_engine) -> None:
    queue(db_engine, "x", NOW)
    moment = NOW
    for attempt in range(1, MAX_ATTEMPTS + 1):
        counts = run_once(db_engine, moment, lambda _c: UnreachableProvider())
        assert counts["retry" if attempt < MAX_ATTEMPTS else "failed"] == 1
        assert run_once(db_engine, moment, lambda _c: UnreachableProvider()) == {
            "sent": 0, "retry": 0, "failed": 0, "refused": 0
        }  # backing off: not due again immediately
        moment += timedelta(hours=1)
    assert statuses(db_engine) == {"x": FAILED}


def test_sms_goes_through_the_channels_provider_and_respects_stop(sqlite_url, tmp_path, monkeypatch) -> None:
    pytest.importorskip("messaging.sms_providers")
    from actions.common.db import get_engine, make_engine
    from bot.settings import reset_bot_settings_cache

    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    monkeypatch.setenv("SMS_PROVIDER", "log")
    monkeypatch.setenv("SMS_OUTBOX", str(tmp_path / "sms.jsonl"))
    reset_settings_cache()
    reset_bot_settings_cache()
    get_engine.cache_clear()
    engine = make_engine(sqlite_url)
    try:
        queue(engine, "sms", NOW)
        assert run_once(engine, NOW)["sent"] == 1
        record = json.loads((tmp_path / "sms.jsonl").read_text(encoding="utf-8").splitlines()[0])
        assert PHONE not in json.dumps(record) and record["body"].startswith("Sésame")
        from messaging.state import store

        store.opt_out(PHONE, "STOP", engine)
        queue(engine, "after-stop", NOW)
        assert run_once(engine, NOW)["refused"] == 1
        assert statuses(engine)["after-stop"] == CANCELLED
    finally:
        engine.dispose()
        get_engine.cache_clear()
        reset_settings_cache()
        reset_bot_settings_cache()

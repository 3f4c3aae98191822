"""After booking, the confirmation leaves through the worker, and the reminder waits for the day before."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

from actions.booking.seed import seed
from actions.booking.service import BookingService
from actions.notifications.senders import DevLogSender
from actions.notifications.worker import run_once

ROOT = Path(__file__).resolve().parents[2]
MONDAY = datetime(2026, 11, 30, 8, 0, tzinfo=timezone.utc)


def test_confirmation_now_reminder_the_day_before(db_engine, tmp_path) -> None:
    seed(db_engine, ROOT / "data")
    service = BookingService(db_engine, clock=lambda: MONDAY)
    offer = service.search("email", "mediatheque-jean-jacques-rousseau")[0]  # Wednesday 10:00
    appt = service.book("email", offer.start, offer.place_id, offer.conseiller_id, first_name="Nadia",
                        phone_e164="+33612345678", channel="sms")
    log_file = tmp_path / "notifications.log"
    senders = lambda channel: DevLogSender(log_file, channel)  # noqa: E731
    assert run_once(db_engine, MONDAY, senders)["sent"] == 1
    first = json.loads(log_file.read_text(encoding="utf-8").splitlines()[0])
    assert appt.reference in first["body"] and "mercredi 2 décembre à 10 h" in first["body"]
    assert "+33612345678" not in log_file.read_text(encoding="utf-8")
    tuesday_10h = offer.start - timedelta(days=1)  # reminders leave at 10:00 (Paris) the day before
    assert run_once(db_engine, tuesday_10h - timedelta(minutes=5), senders)["sent"] == 0
    assert run_once(db_engine, tuesday_10h + timedelta(minutes=1), senders)["sent"] == 1
    reminder = json.loads(log_file.read_text(encoding="utf-8").splitlines()[1])
    assert reminder["body"].startswith("Sésame : rappel")

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


def _messages(db_engine, tmp_path, place: str) -> tuple[str, str]:
    """Book the first e-mail lesson at ``place``; return the confirmation and the reminder sent."""
    seed(db_engine, ROOT / "data")
    service = BookingService(db_engine, clock=lambda: MONDAY)
    offers = service.search("email", place, max_per_day=None, limit=30)
    offer = next(o for o in offers if o.start - MONDAY > timedelta(days=2))  # leaves room for a reminder
    service.book("email", offer.start, offer.place_id, offer.conseiller_id, first_name="Nadia",
                 phone_e164="+33612345678", channel="sms")
    log_file = tmp_path / "notifications.log"
    senders = lambda channel: DevLogSender(log_file, channel)  # noqa: E731
    run_once(db_engine, MONDAY, senders)
    run_once(db_engine, offer.start - timedelta(hours=12), senders)
    bodies = [json.loads(line)["body"] for line in log_file.read_text(encoding="utf-8").splitlines()]
    assert len(bodies) == 2, bodies
    return bodies[0], bodies[1]


def test_confirmation_and_reminder_say_where_the_place_is(db_engine, tmp_path) -> None:
    confirmation, reminder = _messages(db_engine, tmp_path, "mediatheque-jean-jacques-rousseau")
    for body in (confirmation, reminder):
        assert "Lieu : Médiathèque Jean-Jacques Rousseau, Carré Curial, Chambéry." in body


def test_without_a_sourced_address_the_messages_say_whom_to_ask(db_engine, tmp_path) -> None:
    confirmation, reminder = _messages(db_engine, tmp_path, "dynamo")
    for body in (confirmation, reminder):
        assert "Lieu : La Dynamo. Adresse : demandez-la à " in body
        assert "demandez-la à France Services des Hauts de Chambéry au 04 79 68 58 52." in body
        assert "http://ladynamo.chambery.fr" in body
        assert "je ne l'ai pas encore" not in body and ".." not in body


def test_a_general_contact_with_a_phone_is_given_when_the_place_has_no_address(db_engine, tmp_path,
                                                                             monkeypatch) -> None:
    from actions.core import contacts

    ccas = contacts.Contact("ccas-chambery", "CCAS de Chambéry", "", "+33400000000", "", "https://www.chambery.fr/x",
                            general=True)
    monkeypatch.setattr(contacts, "load_contacts", lambda path=None: (ccas,))
    confirmation, _reminder = _messages(db_engine, tmp_path, "dynamo")
    assert "Adresse : demandez-la à CCAS de Chambéry au 04 00 00 00 00." in confirmation

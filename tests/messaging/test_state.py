"""Channel state in the real databases (SQLite and PostgreSQL): STOP, last choices, rate limit."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import inspect, text

from messaging.state import store

PHONE = "+33612345678"


def test_migration_creates_the_tables(db_engine) -> None:
    names = set(inspect(db_engine).get_table_names())
    assert {
        "channels_sms_optouts", "channels_sms_contacts", "channels_sms_rate_windows",
        "channels_telegram_callbacks",
    } <= names


def test_stop_then_start(db_engine) -> None:
    assert not store.is_opted_out(PHONE, db_engine)
    store.opt_out(PHONE, "STOP", db_engine)
    store.opt_out(PHONE, "ARRET", db_engine)
    assert store.is_opted_out(PHONE, db_engine)
    assert not store.is_opted_out("+33600000000", db_engine)
    assert store.opt_in(PHONE, db_engine) is True
    assert not store.is_opted_out(PHONE, db_engine)
    assert store.opt_in(PHONE, db_engine) is False


def test_the_opt_out_table_never_holds_the_number(db_engine) -> None:
    store.opt_out(PHONE, "STOP", db_engine)
    with db_engine.connect() as conn:
        rows = conn.execute(text("SELECT number_key FROM channels_sms_optouts")).all()
    assert rows and all("612345678" not in r[0] for r in rows)


def test_last_choices_are_kept_per_number(db_engine) -> None:
    choices = [{"title": "Oui", "payload": "/affirm"}, {"title": "Non", "payload": "/deny"}]
    sender = store.remember_contact(PHONE, choices, db_engine)
    assert store.last_choices(PHONE, db_engine) == choices
    store.remember_contact(PHONE, None, db_engine)  # a reply without buttons keeps them
    assert store.last_choices(PHONE, db_engine) == choices
    store.remember_contact(PHONE, [], db_engine)
    assert store.last_choices(PHONE, db_engine) == []
    assert store.phone_for_sender(sender, db_engine) == PHONE
    assert PHONE not in sender
    assert store.last_choices("+33600000000", db_engine) == []


def test_rate_limit_counts_per_number_and_notifies_once(db_engine) -> None:
    now = datetime(2026, 11, 25, 10, 5, tzinfo=timezone.utc)
    hour = timedelta(hours=1)
    decisions = [store.count_message(PHONE, 3, hour, db_engine, now) for _ in range(5)]
    assert [d.allowed for d in decisions] == [True, True, True, False, False]
    assert [d.notify for d in decisions] == [False, False, False, True, False]
    assert store.count_message("+33600000000", 3, hour, db_engine, now).allowed
    assert store.count_message(PHONE, 3, hour, db_engine, now + hour).allowed
    assert store.purge_rate_windows(now + hour, db_engine) >= 2


def test_telegram_callback_ids_map_back_to_payloads(db_engine) -> None:
    store.save_callback("c123", '/inform{"x":"y"}', db_engine)
    store.save_callback("c123", '/inform{"x":"y"}', db_engine)
    assert store.payload_for_callback("c123", db_engine) == '/inform{"x":"y"}'
    assert store.payload_for_callback("nope", db_engine) is None


def test_old_sms_contacts_are_purged(db_engine) -> None:
    sender = store.remember_contact(PHONE, [], db_engine)
    assert store.purge_sms_contacts(datetime.now(timezone.utc) - timedelta(days=1), db_engine) == 0
    assert store.purge_sms_contacts(datetime.now(timezone.utc) + timedelta(seconds=1), db_engine) == 1
    assert store.phone_for_sender(sender, db_engine) is None

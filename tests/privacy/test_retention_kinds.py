"""Each kind of personal data leaves on its own schedule: older than its retention, purged; younger, kept.

Every test runs on SQLite and on PostgreSQL (``db_url``: a fresh, migrated database, dropped
afterwards), through ``purge_all`` as the worker calls it, with the default retentions (the
environment's retention variables are cleared first) unless a test sets one.
"""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.engine import Engine

from actions.common.db import make_engine, session_scope
from actions.common.migrate import upgrade
from actions.common.retention import KINDS, purge_all
from actions.common.settings import RETENTION_SETTINGS, reset_settings_cache, retention_days
from tests.privacy.helpers import rasa_store, say, stored

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime.now(timezone.utc).replace(microsecond=0)
DAY = timedelta(days=1)


def ago(days: float) -> datetime:
    """A naive UTC moment, as the app's tables store them."""
    return (NOW - timedelta(days=days)).replace(tzinfo=None)


@pytest.fixture(autouse=True)
def default_retentions(monkeypatch) -> Iterator[None]:
    """The defaults, whatever the developer's environment says."""
    for name, alias, _default in RETENTION_SETTINGS.values():
        monkeypatch.delenv(name, raising=False)
        if alias:
            monkeypatch.delenv(alias, raising=False)
    reset_settings_cache()
    yield
    reset_settings_cache()


@pytest.fixture
def app(db_url) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def tracker(db_url) -> Iterator[Engine]:
    """Rasa's tracker store, in the same fresh database (production may use one or two)."""
    engine = create_engine(db_url)
    yield engine
    engine.dispose()


def purge(app: Engine, tracker: Engine, log_files: list[Path] | None = None) -> dict:
    counts = purge_all(NOW, app, tracker, log_files=log_files or [])
    assert None not in counts.values(), counts  # no kind failed
    return counts


def count(engine: Engine, model) -> int:
    with session_scope(engine) as session:
        return session.scalar(select(func.count()).select_from(model))


# ---------------------------------------------------------------- conversations (tracker store)

def test_conversations_silent_longer_than_their_retention_are_purged(db_url, app, tracker) -> None:
    store = rasa_store(db_url)
    say(store, "silencieuse", days_ago=31)
    say(store, "recente", days_ago=29)
    assert purge(app, tracker)["conversations"] == 1
    assert not stored(store, "silencieuse")
    assert stored(store, "recente")


# ---------------------------------------------------------------- channel state

def test_sms_numbers_and_telegram_buttons_go_with_their_conversation(app, tracker) -> None:
    from messaging.state.models import SmsContact, TelegramCallback
    from actions.handoff import cases
    from actions.handoff.summary import summarise

    aware = lambda days: NOW - timedelta(days=days)  # noqa: E731 - these columns are timezone-aware
    with session_scope(app) as session:
        session.add_all([
            SmsContact(sender_id="p_ancien", phone_e164="+33611111111", last_choices="[]", updated_at=aware(31)),
            SmsContact(sender_id="p_recent", phone_e164="+33622222222", last_choices="[]", updated_at=aware(29)),
            SmsContact(sender_id="p_dossier", phone_e164="+33633333333", last_choices="[]", updated_at=aware(40)),
            TelegramCallback(callback_id="old", payload="/affirm", created_at=aware(31)),
            TelegramCallback(callback_id="new", payload="/deny", created_at=aware(29)),
        ])
        # An open case still has to reply to this number by SMS: it stays, however old.
        cases.create_case(session, cases.CaseDraft("p_dossier", "sms", summarise([]), "sms", None, ""), ago(40))
    assert purge(app, tracker)["channel_contacts"] == 2
    with session_scope(app) as session:
        assert set(session.scalars(select(SmsContact.sender_id))) == {"p_recent", "p_dossier"}
        assert set(session.scalars(select(TelegramCallback.callback_id))) == {"new"}


def test_sms_rate_windows_last_a_day(app, tracker) -> None:
    from messaging.state.models import SmsRateWindow

    with session_scope(app) as session:
        session.add_all([
            SmsRateWindow(number_key="p_x", window_start=NOW - 2 * DAY, count=40, notified=True),
            SmsRateWindow(number_key="p_x", window_start=NOW - timedelta(hours=1), count=3, notified=False),
        ])
    assert purge(app, tracker)["sms_rate_windows"] == 1
    assert count(app, SmsRateWindow) == 1


# ---------------------------------------------------------------- cases and consents

def _case(session, conversation: str, created_days_ago: float, closed_days_ago: float | None):
    from actions.handoff import cases
    from actions.handoff.summary import summarise

    case, _ = cases.create_case(
        session, cases.CaseDraft(conversation, "socketio", summarise([]), "telephone", "+33644444444", "le matin"),
        ago(created_days_ago))
    if closed_days_ago is not None:
        cases.close(session, case.id, "resolu", ago(closed_days_ago))
    return case


def test_cases_are_purged_after_their_retention_since_closure(app, tracker) -> None:
    from actions.handoff import cases
    from actions.handoff.accounts import create_user
    from actions.handoff.models import Case, CaseMessage, CaseNote

    with session_scope(app) as session:
        nadia = create_user(session, "nadia", "Nadia", "un mot de passe long", "conseiller", ago(400))
        old = _case(session, "web-ancien", 200, None)
        session.add(CaseMessage(case_id=old.id, conversation_id="web-ancien", author="Nadia",
                                body="Je vous rappelle demain.", created_at=ago(190)))
        cases.add_note(session, old, nadia, "Famille de 3 enfants", ago(190))
        cases.close(session, old.id, "resolu", ago(184))
        _case(session, "web-recent", 200, 182)
        _case(session, "web-ouvert", 300, None)  # open: never purged here (expiry closes it first)
    assert purge(app, tracker)["cases"] == 1
    with session_scope(app) as session:
        assert set(session.scalars(select(Case.conversation_id))) == {"web-recent", "web-ouvert"}
    assert count(app, CaseMessage) == 0 and count(app, CaseNote) == 0


def test_a_consent_is_kept_while_its_case_exists_then_until_its_retention(app, tracker) -> None:
    from actions.handoff.models import Consent

    with session_scope(app) as session:
        _case(session, "preuve-ancienne", 366, 300)   # case purged today: its consent, 366 days old, goes
        _case(session, "preuve-recente", 364, 300)    # case purged today: its consent, 364 days old, stays
        _case(session, "dossier-vivant", 400, 10)     # case still there: its consent stays, however old
    counts = purge(app, tracker)
    assert counts["cases"] == 2 and counts["consents"] == 1
    with session_scope(app) as session:
        kept = {c.conversation_id: c.case_id for c in session.scalars(select(Consent))}
    assert set(kept) == {"preuve-recente", "dossier-vivant"}
    assert kept["preuve-recente"] is None and kept["dossier-vivant"] is not None


# ---------------------------------------------------------------- appointments

def test_appointments_lose_their_contact_data_after_their_retention(app, tracker) -> None:
    from actions.booking.models import Appointment, Conseiller, Motif, Place
    from actions.notifications.models import SENT, Notification

    with session_scope(app) as session:
        place = Place(slug="maison-quartier", name="Maison de quartier", address="", phone="", source_url="")
        motif = Motif(slug="smartphone", name="Le smartphone", duration_minutes=30)
        conseiller = Conseiller(slug="karim", display_name="Karim")
        session.add_all([place, motif, conseiller])
        session.flush()
        for reference, ended in (("R-ANCIEN", 91), ("R-RECENT", 89)):
            appt = Appointment(reference=reference, motif_id=motif.id, place_id=place.id,
                               conseiller_id=conseiller.id, starts_at=ago(ended) - timedelta(minutes=30),
                               ends_at=ago(ended), status="done", channel="sms", sender_id=f"p_{reference}",
                               first_name="Aïcha", phone_e164="+33655555555", phone_pseudonym=f"p_{reference}",
                               created_at=ago(ended + 5), updated_at=ago(ended))
            session.add(appt)
            session.flush()
            session.add(Notification(dedupe_key=f"booking:{appt.id}:reminder", kind="booking_reminder",
                                     channel="sms", recipient="+33655555555", body="Rappel : demain 10 h.",
                                     appointment_id=appt.id, due_at=ago(1), status=SENT, attempts=1,
                                     created_at=ago(2), sent_at=ago(1)))
    assert purge(app, tracker)["appointments"] == 1
    with session_scope(app) as session:
        rows = {a.reference: a for a in session.scalars(select(Appointment))}
        old, recent = rows["R-ANCIEN"], rows["R-RECENT"]
        assert (old.first_name, old.phone_e164, old.phone_pseudonym, old.sender_id) == (None, None, None, None)
        assert old.contact_purged_at is not None and old.status == "done"  # the statistics stay
        assert (recent.first_name, recent.phone_e164) == ("Aïcha", "+33655555555")
        messages = {n.appointment_id: n for n in session.scalars(select(Notification))}
        assert (messages[old.id].recipient, messages[old.id].body) == ("", "")
        assert messages[recent.id].recipient == "+33655555555"


# ---------------------------------------------------------------- outbox, audit, logs

def test_finished_outbox_messages_are_purged_after_their_retention(app, tracker) -> None:
    from actions.notifications.models import FAILED, PENDING, SENT, Notification

    def message(key: str, status: str, sent: float | None, due: float) -> Notification:
        return Notification(dedupe_key=key, kind="handoff_message", channel="sms", recipient="+33666666666",
                            body="Bonjour, ici le CCAS.", due_at=ago(due), status=status, attempts=1,
                            created_at=ago(max(due, sent or 0) + 1), sent_at=ago(sent) if sent is not None else None)

    with session_scope(app) as session:
        session.add_all([
            message("envoye-ancien", SENT, 31, 31),
            message("envoye-recent", SENT, 29, 29),
            message("echec-ancien", FAILED, None, 31),
            message("en-attente", PENDING, None, 40),  # never sent yet: stays, whatever its age
        ])
    assert purge(app, tracker)["outbox"] == 2
    with session_scope(app) as session:
        assert set(session.scalars(select(Notification.dedupe_key))) == {"envoye-recent", "en-attente"}


def test_the_audit_log_is_purged_after_its_retention(app, tracker) -> None:
    from actions.handoff.models import AuditEntry

    with session_scope(app) as session:
        session.add_all([AuditEntry(at=ago(366), username="nadia", action="consultation", detail="D-AAAAA"),
                         AuditEntry(at=ago(364), username="nadia", action="consultation", detail="D-BBBBB")])
    assert purge(app, tracker)["audit"] == 1
    with session_scope(app) as session:
        assert list(session.scalars(select(AuditEntry.detail))) == ["D-BBBBB"]


def test_old_lines_leave_the_development_logs(app, tracker, tmp_path) -> None:
    def line(days: float, body: str) -> str:
        return json.dumps({"to": "p_123", "body": body, "at": (NOW - timedelta(days=days)).isoformat()}) + "\n"

    notifications, sms = tmp_path / "notifications.log", tmp_path / "sms_outbox.jsonl"
    notifications.write_text(line(31, "ancien") + line(29, "récent") + "pas du JSON\n", encoding="utf-8")
    sms.write_text(line(45, "très ancien"), encoding="utf-8")
    counts = purge(app, tracker, log_files=[notifications, sms, tmp_path / "absent.jsonl"])
    assert counts["logs"] == 2
    assert notifications.read_text(encoding="utf-8") == line(29, "récent") + "pas du JSON\n"
    assert sms.read_text(encoding="utf-8") == ""


# ---------------------------------------------------------------- the pass as a whole

def test_a_failing_kind_does_not_stop_the_others(sqlite_engine) -> None:
    from actions.handoff.models import AuditEntry

    with session_scope(sqlite_engine) as session:
        session.add(AuditEntry(at=ago(400), username="nadia", action="consultation", detail="D-CCCCC"))
    unreachable = create_engine("postgresql://nobody@127.0.0.1:1/nothing")  # nothing listens on port 1
    try:
        counts = purge_all(NOW, sqlite_engine, unreachable, log_files=[])
    finally:
        unreachable.dispose()
    assert counts["conversations"] is None
    assert counts["audit"] == 1
    assert set(counts) == {kind.name for kind in KINDS}


def test_the_retention_of_a_kind_follows_its_setting(monkeypatch, app, tracker) -> None:
    from actions.handoff.models import AuditEntry

    monkeypatch.setenv("SESAME_RETENTION_AUDIT_DAYS", "7")
    reset_settings_cache()
    with session_scope(app) as session:
        session.add_all([AuditEntry(at=ago(8), username="nadia", action="connexion"),
                         AuditEntry(at=ago(6), username="nadia", action="connexion")])
    assert purge(app, tracker)["audit"] == 1


@pytest.mark.parametrize("env, expected", [
    ({}, 30),
    ({"SESAME_CONVERSATION_RETENTION_DAYS": "7"}, 7),  # the older name still works
    ({"SESAME_RETENTION_CONVERSATIONS_DAYS": "12", "SESAME_CONVERSATION_RETENTION_DAYS": "7"}, 12),
    ({"SESAME_RETENTION_CONVERSATIONS_DAYS": " ", "SESAME_CONVERSATION_RETENTION_DAYS": "7"}, 7),
])
def test_conversation_retention_reads_the_new_name_then_the_old_one(env: dict, expected: int) -> None:
    assert retention_days("conversations", env) == expected


@pytest.mark.parametrize("value", ["0", "-3", "trente", "1.5"])
def test_a_retention_is_a_whole_number_of_days_at_least_one(value: str) -> None:
    with pytest.raises(ValueError, match="SESAME_RETENTION_OUTBOX_DAYS"):
        retention_days("outbox", {"SESAME_RETENTION_OUTBOX_DAYS": value})


def test_the_worker_runs_the_daily_pass_with_the_settings(tmp_path: Path) -> None:
    """`python -m actions.notifications.worker --once`, as deployed: every kind, its own setting."""
    from actions.handoff.models import AuditEntry

    app_url, tracker_db = f"sqlite:///{tmp_path / 'sesame.db'}", tmp_path / "tracker.db"
    upgrade(app_url)
    store = rasa_store(f"sqlite:///{tracker_db}")
    say(store, "vieille", days_ago=10)
    say(store, "jeune", days_ago=5)
    engine = make_engine(app_url)
    try:
        with session_scope(engine) as session:
            session.add_all([AuditEntry(at=ago(10), username="nadia", action="connexion"),
                             AuditEntry(at=ago(5), username="nadia", action="connexion")])
    finally:
        engine.dispose()
    env = {"PATH": "/usr/bin:/bin", "SESAME_VAR_DIR": str(tmp_path), "DATABASE_URL": app_url,
           "SESAME_TRACKER_DB": str(tracker_db), "SMS_PROVIDER": "log",
           "SESAME_CONVERSATION_RETENTION_DAYS": "7",  # the older name of the conversations' setting
           "SESAME_RETENTION_AUDIT_DAYS": "7"}
    done = subprocess.run([sys.executable, "-m", "actions.notifications.worker", "--once"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    assert "retention purge: conversations=1" in done.stderr and "audit=1" in done.stderr
    assert not stored(store, "vieille") and stored(store, "jeune")
    engine = make_engine(app_url)
    try:
        assert count(engine, AuditEntry) == 1
    finally:
        engine.dispose()

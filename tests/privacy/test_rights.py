"""A resident's data, seen and erased from the conversation: everything under their id, nothing else."""
from __future__ import annotations

import json
import time
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select, text

from actions.booking.models import Appointment, Conseiller, Motif, Place
from messaging.state.models import SmsContact, SmsOptOut
from actions.common.db import session_scope
from actions.common.privacy import pseudonym
from actions.handoff import cases
from actions.handoff.models import Case, CaseMessage, Consent
from actions.handoff.summary import summarise
from actions.notifications.models import CANCELLED, PENDING, Notification
from actions.notifications.outbox import enqueue
from actions.privacy import conversation, links, rights
from actions.privacy.models import ErasureRequest
from tests.privacy.helpers import rasa_store, say

PHONE = "+33612345678"
RESIDENT = pseudonym(PHONE)  # an SMS conversation id
OTHER = "web-other-resident"


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _book(session, sender: str, phone: str, starts: datetime) -> Appointment:
    place = session.scalar(select(Place)) or Place(slug="p", name="Médiathèque Jean-Jacques Rousseau")
    motif = session.scalar(select(Motif)) or Motif(slug="m", name="Utiliser un ordiphone", duration_minutes=30)
    agent = session.scalar(select(Conseiller)) or Conseiller(slug="c", display_name="Conseiller")
    session.add_all([place, motif, agent])
    session.flush()
    naive = starts.replace(tzinfo=None)
    appt = Appointment(reference=f"R{sender[-4:]}{naive:%H%M}", motif_id=motif.id, place_id=place.id,
                       conseiller_id=agent.id, starts_at=naive, ends_at=naive + timedelta(minutes=30),
                       channel="sms", sender_id=sender, first_name="Awa", phone_e164=phone,
                       phone_pseudonym=pseudonym(phone), created_at=naive, updated_at=naive)
    session.add(appt)
    session.flush()
    enqueue(session, dedupe_key=f"booking:{appt.id}:reminder", kind="booking_reminder", channel="sms",
            recipient=phone, body="Rappel : rendez-vous demain avec Awa.", due_at=starts - timedelta(days=1),
            now=_now(), appointment_id=appt.id)
    return appt


@pytest.fixture
def resident(db_engine, db_url):
    """Two residents who each talked, asked for a person and booked; the first also sent STOP once."""
    store = rasa_store(db_url)
    for sender in (RESIDENT, OTHER):
        say(store, sender, days_ago=1, text="je m'appelle Awa, j'ai des dettes de loyer")
    with session_scope(db_engine) as session:
        for sender, phone in ((RESIDENT, PHONE), (OTHER, "+33698765432")):
            events = [{"event": "user", "text": "dettes de loyer", "parse_data": {"intent": {"name": "ask_human"}}}]
            case, _ = cases.create_case(session, cases.CaseDraft(sender, "sms", summarise(events), "telephone",
                                                                 phone, "le matin"), _now())
            cases.add_message(session, case, "Nadia", "Bonjour, je vous rappelle demain.", _now())
            _book(session, sender, phone, _now() + timedelta(days=3))
        session.add(SmsContact(sender_id=RESIDENT, phone_e164=PHONE, last_choices="[]", updated_at=_now()))
        session.add(SmsOptOut(number_key=pseudonym(PHONE), keyword="STOP", opted_out_at=_now()))
    return store


def _tracker_count(engine, sender: str) -> int:
    with engine.connect() as connection:
        return connection.execute(text("SELECT COUNT(*) FROM events WHERE sender_id = :s"), {"s": sender}).scalar()


def test_the_export_shows_everything_kept_under_the_conversation_and_masks_the_number(db_engine, resident):
    with session_scope(db_engine) as session:
        data = rights.collect(session, db_engine, RESIDENT)
    assert [line.author for line in data.messages][:2] == ["vous", "Sésame"]
    assert any("Nadia" == line.author for line in data.messages)  # the conseiller's reply too
    assert len(data.cases) == 1 and len(data.consents) == 1 and len(data.appointments) == 1
    summary = conversation.export_summary(data)
    assert data.cases[0].reference in summary and "Un rendez-vous réservé" in summary
    assert "il finit par 78" in summary and "612345678" not in summary  # never the number in clear
    document = conversation.export_document(data, _now())
    assert "j'ai des dettes de loyer" in document and "Je vous explique." in document
    assert "Awa" in document  # the first name given for the appointment
    assert "98765432" not in document and "98765432" not in summary  # nothing of the other resident


def test_erasure_removes_the_cases_consents_contacts_and_waiting_messages_of_that_resident_only(db_engine, resident):
    with session_scope(db_engine) as session:
        erased = rights.erase(session, RESIDENT, _now())
    assert erased.cases == 1 and erased.consents == 1 and erased.sms_number and len(erased.appointments_kept) == 1
    with session_scope(db_engine) as session:
        assert session.scalar(select(func.count()).select_from(Case).where(Case.conversation_id == RESIDENT)) == 0
        assert session.scalar(select(func.count()).select_from(CaseMessage)
                              .where(CaseMessage.conversation_id == RESIDENT)) == 0
        assert session.scalar(select(func.count()).select_from(Consent)
                              .where(Consent.conversation_id == RESIDENT)) == 0
        assert session.get(SmsContact, RESIDENT) is None
        appt = session.scalar(select(Appointment).where(Appointment.first_name.is_(None)))
        assert appt.status == "booked" and appt.phone_e164 is None and appt.sender_id is None  # still booked
        reminder = session.scalar(select(Notification).where(Notification.appointment_id == appt.id))
        assert reminder.status == CANCELLED and reminder.recipient == "" and "Awa" not in reminder.body
        # The STOP is kept (by pseudonym): Sésame must not write again to who asked it not to.
        assert session.get(SmsOptOut, pseudonym(PHONE)) is not None
        # The other resident keeps everything.
        assert session.scalar(select(func.count()).select_from(Case).where(Case.conversation_id == OTHER)) == 1
        other = session.scalar(select(Notification).where(Notification.recipient == "+33698765432"))
        assert other.status == PENDING
        assert session.scalar(select(ErasureRequest.conversation_id)) == RESIDENT


def test_the_conversation_is_erased_once_quiet_even_if_rasa_writes_it_again(db_engine, db_url, resident):
    now = _now()
    with session_scope(db_engine) as session:
        rights.erase(session, RESIDENT, now)
    say(resident, RESIDENT, days_ago=0, text="oui")  # the turn that asked, written after the action answered
    with session_scope(db_engine) as session:  # too soon: Rasa may still be writing that turn
        assert rights.erase_waiting_conversations(session, db_engine, now) == 0
    assert _tracker_count(db_engine, RESIDENT) > 0
    later = now + timedelta(seconds=10)
    with session_scope(db_engine) as session:
        assert rights.erase_waiting_conversations(session, db_engine, later) == 0  # deleted, to be checked
    assert _tracker_count(db_engine, RESIDENT) == 0
    # A turn that was being written during the deletion writes the whole conversation again.
    say(resident, RESIDENT, days_ago=1 / 86_400 * 20, text="je m'appelle Awa")
    with session_scope(db_engine) as session:
        assert rights.erase_waiting_conversations(session, db_engine, later + timedelta(seconds=10)) == 0
    assert _tracker_count(db_engine, RESIDENT) == 0
    with session_scope(db_engine) as session:  # a clean round: the request (which holds the id) goes
        assert rights.erase_waiting_conversations(session, db_engine, later + timedelta(seconds=20)) == 1
        assert session.scalar(select(func.count()).select_from(ErasureRequest)) == 0
    assert _tracker_count(db_engine, OTHER) > 0


def test_messages_sent_after_the_erasure_start_a_new_conversation_that_is_kept(db_engine, resident):
    now = _now() - timedelta(minutes=5)
    with session_scope(db_engine) as session:
        rights.erase(session, RESIDENT, now)
    with session_scope(db_engine) as session:
        rights.erase_waiting_conversations(session, db_engine, _now())
    assert _tracker_count(db_engine, RESIDENT) == 0
    say(resident, RESIDENT, days_ago=0, text="bonjour")
    with session_scope(db_engine) as session:
        rights.erase_waiting_conversations(session, db_engine, _now() + timedelta(seconds=10))
    assert _tracker_count(db_engine, RESIDENT) == 3


def test_an_export_link_opens_only_its_own_conversation_and_only_for_a_while(monkeypatch):
    token = links.export_token("web-abc")
    assert links.conversation_of(token) == "web-abc"
    with pytest.raises(links.ExportLinkInvalid):
        links.conversation_of(token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
    with pytest.raises(links.ExportLinkInvalid):
        links.conversation_of("web-abc")
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + links.LINK_MINUTES * 60 + 5)
    with pytest.raises(links.ExportLinkExpired):
        links.conversation_of(token)


def test_an_empty_conversation_says_so(db_engine):
    with session_scope(db_engine) as session:
        data = rights.collect(session, db_engine, "nobody")
    assert data.is_empty and conversation.summary_lines(data) == []
    assert json.dumps(conversation.export_document(data, _now()))  # still a document, saying "Rien."


@pytest.fixture
def web_settings(sqlite_url, monkeypatch):
    """The web process pointed at a fresh app database that also holds the conversations."""
    from actions.common import db
    from actions.common.settings import reset_settings_cache

    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    monkeypatch.setenv("SESAME_TRACKER_URL", sqlite_url)
    reset_settings_cache()
    db.get_engine.cache_clear()
    yield sqlite_url
    db.get_engine.cache_clear()
    reset_settings_cache()


def test_a_web_resident_downloads_their_data_with_the_link_and_nobody_else_can(web_settings):
    import requests

    from tests.channels.webchat_stack import serve_web

    say(rasa_store(web_settings), "web-abc", days_ago=0, text="je cherche une aide pour mon loyer")
    token = links.export_token("web-abc")
    with serve_web("http://localhost:5005") as base:
        ok = requests.get(f"{base}/chat/export", params={"t": token}, timeout=10)
        forged = requests.get(f"{base}/chat/export", params={"t": token[:-3] + "xyz"}, timeout=10)
        bare = requests.get(f"{base}/chat/export", params={"t": "web-abc"}, timeout=10)
        empty = requests.get(f"{base}/chat/export", timeout=10)
    assert ok.status_code == 200 and "je cherche une aide pour mon loyer" in ok.text
    assert "attachment" in ok.headers["Content-Disposition"] and ok.headers["Cache-Control"] == "no-store"
    for refused in (forged, bare, empty):
        assert refused.status_code == 400 and "pas valide" in refused.text
        assert "loyer" not in refused.text

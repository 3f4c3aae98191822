"""The case store on SQLite and PostgreSQL: created with consent, never doubled, moved only forward."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from actions.common.db import session_scope
from actions.handoff import accounts, cases, delivery, housekeeping
from actions.handoff.models import Case, CaseMessage, CaseNote, Consent
from actions.handoff.summary import summarise
from actions.notifications.models import Notification

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=timezone.utc)


def draft(conversation_id="conv-1", channel="socketio", contact="ici", phone=None) -> cases.CaseDraft:
    events = [{"event": "user", "text": "je dors dehors", "parse_data": {"intent": {"name": "urgent_shelter"}}}]
    return cases.CaseDraft(conversation_id, channel, summarise(events), contact, phone, "le matin")


def conseiller(session):
    return accounts.create_user(session, "nadia", "Nadia", "un mot de passe long", "conseiller", NOW)


def test_a_case_is_created_with_its_consent_and_never_doubled(db_engine):
    with session_scope(db_engine) as session:
        case, created = cases.create_case(session, draft(), NOW)
        again, created_again = cases.create_case(session, draft(), NOW)
        assert created and not created_again and again.id == case.id
        assert case.reference.startswith("D-") and len(case.reference) == 7
        assert (case.status, case.urgency, case.theme) == (cases.NEW, "urgente", "logement-hebergement")
        consent = session.scalars(select(Consent)).one()
        assert consent.case_id == case.id and consent.given_at == NOW.replace(tzinfo=None)


def test_the_lifecycle_moves_forward_and_a_closed_case_stays_closed(db_engine):
    with session_scope(db_engine) as session:
        case, _ = cases.create_case(session, draft(), NOW)
        user = conseiller(session)
        cases.take_over(session, case.id, user, NOW)
        assert case.status == cases.TAKEN and case.paused and case.assigned_to == user.id
        cases.wait_for_resident(session, case.id, NOW)
        delivery.send_to_resident(session, case, "Nadia", "Vous êtes là ?", NOW)
        assert case.status == cases.TAKEN  # a reply takes it back from "waiting"
        with pytest.raises(cases.UnknownOutcome):
            cases.close(session, case.id, "perdu", NOW)
        cases.close(session, case.id, "resolu", NOW)
        assert case.status == cases.CLOSED and not case.paused and case.outcome == "resolu"
        with pytest.raises(cases.CaseTransitionError):
            cases.take_over(session, case.id, user, NOW)
        with pytest.raises(cases.CaseTransitionError):
            delivery.send_to_resident(session, case, "Nadia", "encore ?", NOW)
        # a new request after the closed one is a new case
        second, created = cases.create_case(session, draft(), NOW)
        assert created and second.id != case.id


def test_a_reply_to_an_sms_resident_goes_through_the_outbox_to_their_number(db_engine):
    with session_scope(db_engine) as session:
        case, _ = cases.create_case(session, draft("p_sms", "sms", "sms", "+33611223344"), NOW)
        delivery.send_to_resident(session, case, "Nadia", "Bonjour, ici Nadia du CCAS.", NOW)
    with session_scope(db_engine) as session:
        note = session.scalars(select(Notification)).one()
        assert (note.channel, note.recipient, note.body) == ("sms", "+33611223344", "Bonjour, ici Nadia du CCAS.")


def test_a_reply_to_a_telegram_resident_goes_to_their_chat(db_engine):
    with session_scope(db_engine) as session:
        case, _ = cases.create_case(session, draft("987654", "telegram"), NOW)
        delivery.send_to_resident(session, case, "Nadia", "Bonjour.", NOW)
    with session_scope(db_engine) as session:
        assert session.scalars(select(Notification.recipient)).one() == "987654"


def test_a_web_chat_reply_is_kept_for_the_browser_and_not_sent_elsewhere(db_engine):
    from actions.handoff.web import messages_for_browser

    with session_scope(db_engine) as session:
        case, _ = cases.create_case(session, draft("web-1"), NOW)
        cases.take_over(session, case.id, conseiller(session), NOW)
        first = delivery.send_to_resident(session, case, "Nadia", "Bonjour.", NOW)
        assert session.scalar(select(func.count()).select_from(Notification)) == 0
        body = messages_for_browser(session, "web-1", 0)
        assert body["case"]["person_answering"] and body["case"]["agent"] == "Nadia, du CCAS"
        assert [m["text"] for m in body["messages"]] == ["Bonjour."]
        assert messages_for_browser(session, "web-1", first.id)["messages"] == []
        assert messages_for_browser(session, "someone-else", 0) == {"case": None, "messages": []}


def test_a_private_note_never_reaches_the_resident(db_engine):
    from actions.handoff.web import messages_for_browser

    with session_scope(db_engine) as session:
        case, _ = cases.create_case(session, draft("web-2"), NOW)
        user = conseiller(session)
        cases.add_note(session, case, user, "À rappeler après 14 h", NOW)
        assert session.scalar(select(func.count()).select_from(CaseNote)) == 1
        assert messages_for_browser(session, "web-2", 0)["messages"] == []


def test_an_urgent_message_during_a_handover_flags_the_open_case(db_engine):
    with session_scope(db_engine) as session:
        events = [{"event": "user", "text": "rappelez moi", "parse_data": {"intent": {"name": "ask_human"}}}]
        case, _ = cases.create_case(session, cases.CaseDraft("c-3", "rest", summarise(events), "ici", None, ""), NOW)
        assert case.urgency == "normale"
        cases.flag_urgent(session, "c-3", NOW)
        assert case.urgency == "urgente"
        assert cases.flag_urgent(session, "nobody", NOW) is None


def test_housekeeping_expires_forgotten_cases_and_purges_old_closed_ones(db_engine, monkeypatch):
    with session_scope(db_engine) as session:
        old, _ = cases.create_case(session, draft("old"), NOW - timedelta(days=40))
        waiting, _ = cases.create_case(session, draft("waiting"), NOW - timedelta(days=20))
        cases.take_over(session, waiting.id, conseiller(session), NOW - timedelta(days=20))
        cases.wait_for_resident(session, waiting.id, NOW - timedelta(days=20))
        fresh, _ = cases.create_case(session, draft("fresh"), NOW)
        delivery.send_to_resident(session, waiting, "Nadia", "Vous êtes là ?", NOW - timedelta(days=20))
        cases.wait_for_resident(session, waiting.id, NOW - timedelta(days=20))
    resumed: list[str] = []
    counts = housekeeping.run(db_engine, NOW, resume=lambda conversation: resumed.append(conversation) or True)
    assert counts["expired"] == 2
    assert resumed == ["waiting"] and counts["resumed"] == 1  # the paused one gets its bot back
    with session_scope(db_engine) as session:
        assert session.get(Case, old.id).outcome == "expire"
        assert session.get(Case, waiting.id).outcome == "sans-reponse"
        assert session.get(Case, fresh.id).status == cases.NEW
    later = NOW + timedelta(days=200)
    assert housekeeping.run(db_engine, later, resume=lambda _: True)["purged"] == 2
    with session_scope(db_engine) as session:
        assert session.scalar(select(func.count()).select_from(CaseMessage)) == 0
        assert {c.conversation_id for c in session.scalars(select(Case))} == {"fresh"}
        # the consents of purged cases stay (proof of what was agreed), detached from the case
        assert session.scalar(select(func.count()).select_from(Consent).where(Consent.case_id.is_(None))) == 2


def test_two_conseillers_never_answer_one_resident_at_once(db_engine):
    with session_scope(db_engine) as session:
        case, _ = cases.create_case(session, draft("shared"), NOW)
        nadia = conseiller(session)
        karim = accounts.create_user(session, "karim", "Karim", "un mot de passe long", "conseiller", NOW)
        boss = accounts.create_user(session, "chef", "Chef", "un mot de passe long", "admin", NOW)
        cases.take_over(session, case.id, nadia, NOW)
        with pytest.raises(cases.CaseTakenByOther):
            cases.take_over(session, case.id, karim, NOW)
        assert case.assigned_to == nadia.id
        cases.take_over(session, case.id, boss, NOW)  # an admin can, for an absent colleague
        assert case.assigned_to == boss.id
        cases.hand_back(session, case.id, NOW)
        cases.take_over(session, case.id, karim, NOW)  # once handed back, anyone may take it
        assert case.assigned_to == karim.id

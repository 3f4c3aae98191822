"""A case's life: created with consent, taken over, answered, handed back, closed.

Plain functions over a SQLAlchemy session, used by the Rasa actions (creation), the
Rasa process (an urgent message while a person answers), the console (everything a
conseiller does) and the worker (expiry). Each change checks the transition first:
a case is never lost, never doubled, and never moves backwards from ``clos``.
"""
from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from actions.handoff.models import (
    CLOSED, NEW, NORMAL, OPEN_STATUSES, TAKEN, URGENT, WAITING, Case, CaseMessage, CaseNote, Consent,
    ConsoleUser,
)
from actions.handoff.summary import Summary

REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CONSENT_SCOPE = "transmission-demande-conseiller"
CONSENT_TEXT_VERSION = "2026-12-07"
CONTACT_MODES = ("telephone", "sms", "rendez-vous", "ici")
OUTCOMES = {
    "resolu": "Demande traitée",
    "oriente": "Orienté vers un autre service",
    "rendez-vous": "Rendez-vous pris",
    "sans-reponse": "Le résident n'a pas répondu",
    "expire": "Demande expirée sans prise en charge",
    "doublon": "Doublon d'une autre demande",
    "annule": "Annulée par le résident",
}
TRANSITIONS = {
    NEW: {TAKEN, CLOSED},
    TAKEN: {WAITING, CLOSED, NEW},
    WAITING: {TAKEN, CLOSED},
    CLOSED: set(),
}


class CaseNotFound(LookupError):
    """No case has this id or reference."""


class CaseTransitionError(ValueError):
    """The case cannot go from its status to the one asked (e.g. a closed case taken over)."""


class CaseTakenByOther(CaseTransitionError):
    """Another conseiller is answering this resident right now (only an admin may take it over)."""

    def __init__(self, holder_id: int) -> None:
        super().__init__(f"held by user {holder_id}")
        self.holder_id = holder_id


class UnknownOutcome(ValueError):
    """A case is closed only with one of the known outcomes."""


@dataclass(frozen=True)
class CaseDraft:
    """Everything the conversation gave for a new case."""

    conversation_id: str
    channel: str
    summary: Summary
    contact_mode: str
    phone: str | None
    availability: str


def naive_utc(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc).replace(tzinfo=None) if moment.tzinfo else moment


def new_reference() -> str:
    """``D-`` and five characters residents can read aloud (no 0/O, no 1/I)."""
    return "D-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(5))


def open_case_for(session: Session, conversation_id: str) -> Case | None:
    """The conversation's case still open, if any (one open case per conversation)."""
    return session.scalars(
        select(Case).where(Case.conversation_id == conversation_id, Case.status.in_(OPEN_STATUSES))
        .order_by(Case.id.desc()).limit(1)
    ).first()


def create_case(session: Session, draft: CaseDraft, now: datetime) -> tuple[Case, bool]:
    """Create the case and its consent record; an open case of the same conversation is reused.

    Returns ``(case, created)``. The consent is written in the same transaction, so a case
    never exists without the consent that allowed it.
    """
    existing = open_case_for(session, draft.conversation_id)
    if existing is not None:
        return existing, False
    if draft.contact_mode not in CONTACT_MODES:
        raise ValueError(f"unknown contact mode {draft.contact_mode!r}")
    moment = naive_utc(now)
    reference = new_reference()
    while session.scalar(select(func.count()).select_from(Case).where(Case.reference == reference)):
        reference = new_reference()
    case = Case(
        reference=reference, conversation_id=draft.conversation_id, channel=draft.channel,
        theme=draft.summary.theme, urgency=URGENT if draft.summary.urgent else NORMAL,
        summary=json.dumps(draft.summary.as_dict(), ensure_ascii=False), contact_mode=draft.contact_mode,
        phone=draft.phone, availability=draft.availability[:120], status=NEW, created_at=moment,
        updated_at=moment, paused=False,
    )
    session.add(case)
    session.flush()
    session.add(Consent(conversation_id=draft.conversation_id, case_id=case.id, scope=CONSENT_SCOPE,
                        text_version=CONSENT_TEXT_VERSION, given_at=moment))
    return case, True


def get_case(session: Session, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise CaseNotFound(case_id)
    return case


def _move(case: Case, status: str, now: datetime) -> None:
    if status != case.status and status not in TRANSITIONS[case.status]:
        raise CaseTransitionError(f"{case.status} -> {status}")
    case.status = status
    case.updated_at = naive_utc(now)


def take_over(session: Session, case_id: int, user: ConsoleUser, now: datetime) -> Case:
    """A conseiller takes the case: it is theirs, and the bot pauses for that conversation.

    Two people never answer one resident at once: while a colleague has the conversation, only
    an admin can take it from them (for an absent colleague, say).
    """
    case = get_case(session, case_id)
    if case.paused and case.assigned_to not in (None, user.id) and user.role != "admin":
        raise CaseTakenByOther(case.assigned_to)
    _move(case, TAKEN, now)
    case.assigned_to = user.id
    case.taken_at = case.taken_at or naive_utc(now)
    case.paused = True
    return case


def hand_back(session: Session, case_id: int, now: datetime) -> Case:
    """The bot answers again; the case stays the conseiller's until it is closed."""
    case = get_case(session, case_id)
    if case.status == CLOSED:
        raise CaseTransitionError("clos -> bot")
    case.paused = False
    case.updated_at = naive_utc(now)
    return case


def wait_for_resident(session: Session, case_id: int, now: datetime) -> Case:
    case = get_case(session, case_id)
    _move(case, WAITING, now)
    return case


def close(session: Session, case_id: int, outcome: str, now: datetime) -> Case:
    """Close with an outcome; the bot answers again (a closed case never pauses anyone)."""
    if outcome not in OUTCOMES:
        raise UnknownOutcome(outcome)
    case = get_case(session, case_id)
    _move(case, CLOSED, now)
    case.outcome = outcome
    case.closed_at = naive_utc(now)
    case.paused = False
    return case


def add_message(session: Session, case: Case, author: str, body: str, now: datetime) -> CaseMessage:
    """Record what is sent to the resident (a reply, or the console's notice of a handover)."""
    if case.status == CLOSED:
        raise CaseTransitionError("a closed case takes no reply")
    message = CaseMessage(case_id=case.id, conversation_id=case.conversation_id, author=author[:80],
                          body=body, created_at=naive_utc(now))
    session.add(message)
    if case.status == WAITING:
        _move(case, TAKEN, now)
    case.updated_at = naive_utc(now)
    session.flush()
    return message


def add_note(session: Session, case: Case, user: ConsoleUser, body: str, now: datetime) -> CaseNote:
    note = CaseNote(case_id=case.id, author_id=user.id, author_name=user.display_name, body=body,
                    created_at=naive_utc(now))
    session.add(note)
    session.flush()
    return note


def flag_urgent(session: Session, conversation_id: str, now: datetime) -> Case | None:
    """An urgent message arrived while a person has the conversation: the case goes to the top."""
    case = open_case_for(session, conversation_id)
    if case is not None and case.urgency != URGENT:
        case.urgency = URGENT
        case.updated_at = naive_utc(now)
    return case


def messages_after(session: Session, conversation_id: str, after_id: int = 0, limit: int = 50) -> list[CaseMessage]:
    """Messages for the resident, oldest first (the web chat fetches them after a reload)."""
    return list(session.scalars(
        select(CaseMessage).where(CaseMessage.conversation_id == conversation_id, CaseMessage.id > after_id)
        .order_by(CaseMessage.id).limit(limit)
    ))


def expire(session: Session, now: datetime, new_after_days: int, waiting_after_days: int) -> list[Case]:
    """Close cases nobody took for ``new_after_days``, and those waiting on the resident too long.

    Returns the closed cases; those that were ``paused`` need the bot resumed in Rasa (the
    caller does it: this module does not talk to Rasa).
    """
    moment = naive_utc(now)
    closed: list[Case] = []
    for status, days, outcome in ((NEW, new_after_days, "expire"), (WAITING, waiting_after_days, "sans-reponse")):
        for case in session.scalars(
            select(Case).where(Case.status == status, Case.updated_at < moment - timedelta(days=days))
        ):
            closed.append(case)
            case.status, case.outcome, case.closed_at, case.updated_at = CLOSED, outcome, moment, moment
    return closed


def purge_closed(session: Session, now: datetime, retention_days: int) -> int:
    """Delete cases closed more than ``retention_days`` ago (messages and notes go with them)."""
    limit = naive_utc(now) - timedelta(days=retention_days)
    ids = list(session.scalars(select(Case.id).where(Case.status == CLOSED, Case.closed_at < limit)))
    if not ids:
        return 0
    session.execute(update(Consent).where(Consent.case_id.in_(ids)).values(case_id=None)
                    .execution_options(synchronize_session=False))
    for model in (CaseMessage, CaseNote):
        session.query(model).filter(model.case_id.in_(ids)).delete(synchronize_session=False)
    session.query(Case).filter(Case.id.in_(ids)).delete(synchronize_session=False)
    return len(ids)


def summary_of(case: Case) -> dict:
    return json.loads(case.summary or "{}")

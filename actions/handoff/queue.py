"""What the conseiller console reads: the queue of cases with its filters, accounts, booking choices.

Plain queries over a SQLAlchemy session (no aiohttp, no Rasa), so they are tested on their
own and the console only renders what they return.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case as sql_case
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from actions.handoff.cases import naive_utc
from actions.handoff.models import (
    CLOSED, NEW, OPEN_STATUSES, TAKEN, URGENT, WAITING, Case, ConsoleSession, ConsoleUser, Consent,
)

TAB_NEW = "nouvelles"
TAB_MINE = "miennes"
TAB_WAITING = "en-attente"
TAB_CLOSED = "closes"
TABS = (TAB_NEW, TAB_MINE, TAB_WAITING, TAB_CLOSED)


@dataclass(frozen=True)
class QueueFilters:
    theme: str = ""
    channel: str = ""
    urgency: str = ""


@dataclass(frozen=True)
class QueueRow:
    id: int
    reference: str
    urgency: str
    theme: str
    channel: str
    status: str
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    assigned_name: str


def list_cases(session: Session, tab: str, user_id: int, filters: QueueFilters = QueueFilters(),
               limit: int = 200) -> list[QueueRow]:
    """One tab of the queue: urgent cases first, then the ones waiting longest (closed: newest first)."""
    stmt = select(Case, ConsoleUser.display_name).outerjoin(ConsoleUser, ConsoleUser.id == Case.assigned_to)
    if tab == TAB_NEW:
        stmt = stmt.where(Case.status == NEW)
    elif tab == TAB_MINE:
        stmt = stmt.where(Case.assigned_to == user_id, Case.status.in_((TAKEN, WAITING)))
    elif tab == TAB_WAITING:
        stmt = stmt.where(Case.status == WAITING)
    elif tab == TAB_CLOSED:
        stmt = stmt.where(Case.status == CLOSED)
    else:
        raise ValueError(f"unknown tab {tab!r}")
    if filters.theme:
        stmt = stmt.where(Case.theme == filters.theme)
    if filters.channel:
        stmt = stmt.where(Case.channel == filters.channel)
    if filters.urgency:
        stmt = stmt.where(Case.urgency == filters.urgency)
    urgent_first = sql_case((Case.urgency == URGENT, 0), else_=1)
    if tab == TAB_CLOSED:
        stmt = stmt.order_by(Case.closed_at.desc(), Case.id.desc())
    else:
        stmt = stmt.order_by(urgent_first, Case.created_at, Case.id)
    return [
        QueueRow(c.id, c.reference, c.urgency, c.theme, c.channel, c.status, c.created_at, c.updated_at,
                 c.closed_at, name or "")
        for c, name in session.execute(stmt.limit(limit))
    ]


def tab_counts(session: Session, user_id: int) -> dict[str, int]:
    """How many cases each open tab holds (shown beside the tab names)."""
    counts = {tab: 0 for tab in TABS if tab != TAB_CLOSED}
    for status, assigned in session.execute(
        select(Case.status, Case.assigned_to).where(Case.status.in_(OPEN_STATUSES))
    ):
        if status == NEW:
            counts[TAB_NEW] += 1
        if status == WAITING:
            counts[TAB_WAITING] += 1
        if assigned == user_id and status in (TAKEN, WAITING):
            counts[TAB_MINE] += 1
    return counts


def consent_time(session: Session, case_id: int) -> datetime | None:
    """When the resident agreed to share the request (naive UTC)."""
    return session.scalar(select(Consent.given_at).where(Consent.case_id == case_id).order_by(Consent.id).limit(1))


def user_name(session: Session, user_id: int | None) -> str:
    if user_id is None:
        return ""
    user = session.get(ConsoleUser, user_id)
    return user.display_name if user else ""


def list_users(session: Session) -> list[ConsoleUser]:
    return list(session.scalars(select(ConsoleUser).order_by(ConsoleUser.active.desc(), ConsoleUser.username)))


def disable_user(session: Session, user_id: int, now: datetime) -> ConsoleUser:
    """The account can no longer sign in, and its open sessions end now."""
    user = session.get(ConsoleUser, user_id)
    if user is None:
        raise LookupError(user_id)
    user.active = False
    session.execute(delete(ConsoleSession).where(ConsoleSession.user_id == user.id))
    return user


def locked_until(session: Session, username: str, now: datetime) -> datetime | None:
    """Until when this name's account is locked (naive UTC), or None; callers never reveal that it exists."""
    user = session.scalars(select(ConsoleUser).where(ConsoleUser.username == username.strip().lower())).first()
    if user and user.locked_until and user.locked_until > naive_utc(now):
        return user.locked_until
    return None


@dataclass(frozen=True)
class MotifChoice:
    slug: str
    name: str
    places: tuple[tuple[str, str], ...]  # (slug, name)


def booking_choices(session: Session) -> list[MotifChoice]:
    """The motifs and, for each, the places that offer it (every place when none is listed)."""
    from actions.booking.models import Motif, Place

    all_places = tuple((p.slug, p.name) for p in session.scalars(select(Place).order_by(Place.name)))
    choices = []
    for motif in session.scalars(select(Motif).order_by(Motif.name)):
        places = tuple(sorted(((p.slug, p.name) for p in motif.places), key=lambda p: p[1])) or all_places
        choices.append(MotifChoice(motif.slug, motif.name, places))
    return choices

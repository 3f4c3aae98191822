"""The audit log: every view and action on a case, by whom and when, for an admin to read."""
from __future__ import annotations

from datetime import datetime
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from actions.handoff.cases import naive_utc
from actions.handoff.models import AuditEntry


class Actor(Protocol):
    """Who acted: a ConsoleUser row or the console's detached Identity (only these two fields are logged)."""

    @property
    def id(self) -> int: ...

    @property
    def username(self) -> str: ...


def record(session: Session, user: Actor | None, action: str, now: datetime,
           case_id: int | None = None, detail: str = "") -> None:
    """One line; ``detail`` never holds a message text or a phone number (callers pass labels)."""
    session.add(AuditEntry(at=naive_utc(now), user_id=user.id if user else None,
                           username=user.username if user else "-", action=action[:40], case_id=case_id,
                           detail=detail[:300]))


def recent(session: Session, limit: int = 200, case_id: int | None = None) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if case_id is not None:
        query = query.where(AuditEntry.case_id == case_id)
    return list(session.scalars(query))

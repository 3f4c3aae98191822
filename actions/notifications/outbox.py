"""Queue messages in the outbox, inside the caller's transaction."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from actions.notifications.models import CANCELLED, PENDING, Notification


def _naive(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def enqueue(
    session: Session,
    *,
    dedupe_key: str,
    kind: str,
    channel: str,
    recipient: str,
    body: str,
    due_at: datetime,
    now: datetime,
    appointment_id: int | None = None,
) -> Notification:
    """Add one message to the outbox (flushed with the caller's transaction, never sent twice)."""
    note = Notification(
        dedupe_key=dedupe_key,
        kind=kind,
        channel=channel,
        recipient=recipient,
        body=body,
        appointment_id=appointment_id,
        due_at=_naive(due_at),
        status=PENDING,
        attempts=0,
        last_error="",
        provider_message_id="",
        created_at=_naive(now),
    )
    session.add(note)
    return note


def cancel_pending(session: Session, appointment_id: int, kinds: tuple[str, ...]) -> int:
    """Withdraw messages not yet sent (e.g. the reminder of a cancelled appointment)."""
    result = session.execute(
        update(Notification)
        .where(
            Notification.appointment_id == appointment_id,
            Notification.status == PENDING,
            Notification.kind.in_(kinds),
        )
        .values(status=CANCELLED)
    )
    return int(result.rowcount or 0)


def pending_for(session: Session, appointment_id: int) -> list[Notification]:
    return list(
        session.scalars(
            select(Notification)
            .where(Notification.appointment_id == appointment_id)
            .order_by(Notification.id)
        )
    )

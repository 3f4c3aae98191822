"""What the web chat asks the web server about its conversation's case (plain reads)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from actions.handoff.delivery import PULL_CHANNELS, pending_for_browser
from actions.handoff.models import OPEN_STATUSES, Case, ConsoleUser


def messages_for_browser(session: Session, conversation_id: str, after_id: int) -> dict:
    """``{"case": {...} | None, "messages": [...]}``: whether a person has the conversation, and their words."""
    case = session.scalars(
        select(Case).where(Case.conversation_id == conversation_id).order_by(Case.id.desc()).limit(1)
    ).first()
    if case is None or case.channel not in PULL_CHANNELS:
        return {"case": None, "messages": []}
    agent = session.get(ConsoleUser, case.assigned_to) if case.assigned_to else None
    return {
        "case": {
            "reference": case.reference,
            "open": case.status in OPEN_STATUSES,
            "person_answering": bool(case.paused and case.status in OPEN_STATUSES),
            "agent": f"{agent.display_name}, du {agent.service}" if agent and case.paused else "",
        },
        "messages": pending_for_browser(session, conversation_id, after_id),
    }

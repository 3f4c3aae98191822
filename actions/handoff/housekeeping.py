"""The worker's handoff chores: close expired cases, purge old closed ones and dead console sessions."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.engine import Engine

from actions.common.db import session_scope
from actions.common.settings import get_settings
from actions.handoff import accounts, cases


def run(engine: Engine, now: datetime) -> dict[str, int]:
    """One pass; each count says what was done (the worker logs it)."""
    settings = get_settings()
    with session_scope(engine) as session:
        expired = cases.expire(session, now, settings.case_new_expiry_days, settings.case_waiting_expiry_days)
        purged = cases.purge_closed(session, now, settings.case_retention_days)
        sessions = accounts.purge_sessions(session, now)
    return {"expired": expired, "purged": purged, "sessions": sessions}

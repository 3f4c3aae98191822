"""The worker's handoff chores: close expired cases, purge dead console sessions, resume the bot.

Old closed cases are deleted by the daily retention pass (:func:`actions.common.retention.purge_all`,
``SESAME_RETENTION_CASES_DAYS``), which the worker runs; ``run(..., purge_closed=True)`` also
does it, for a caller that runs these chores without that pass.

A closed case must never leave the bot silent: for each expired case whose conversation was
paused, the bot is resumed through Rasa's HTTP API (``SESAME_RASA_URL``, ``SESAME_RASA_TOKEN``).
If Rasa does not answer, the case stays marked paused and the next pass tries again.
"""
from __future__ import annotations

import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime
from typing import Callable

from sqlalchemy import select
from sqlalchemy.engine import Engine

from actions.common.db import session_scope
from actions.common.privacy import pseudonym
from actions.common.settings import get_settings
from actions.handoff import accounts, cases
from actions.handoff.models import CLOSED, Case

log = logging.getLogger(__name__)


def resume_in_rasa(conversation_id: str) -> bool:
    """POST a ``resume`` event; True when Rasa accepted it."""
    settings = get_settings()
    url = (f"{settings.rasa_url.rstrip('/')}/conversations/{urllib.parse.quote(conversation_id, safe='')}"
           f"/tracker/events?token={urllib.parse.quote(settings.rasa_token)}")
    request = urllib.request.Request(url, data=json.dumps([{"event": "resume"}]).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError) as exc:
        log.warning("could not resume the bot for %s: %s", pseudonym(conversation_id), type(exc).__name__)
        return False


def run(engine: Engine, now: datetime, resume: Callable[[str], bool] = resume_in_rasa,
        purge_closed: bool = True) -> dict[str, int]:
    """One pass; each count says what was done (the worker logs it).

    ``purge_closed``: also delete cases closed for longer than their retention. The worker says
    False: its daily retention pass does it with every other kind of personal data.
    """
    settings = get_settings()
    with session_scope(engine) as session:
        expired = cases.expire(session, now, settings.case_new_expiry_days, settings.case_waiting_expiry_days)
        purged = cases.purge_closed(session, now, settings.retention_cases_days) if purge_closed else 0
        sessions = accounts.purge_sessions(session, now)
    with session_scope(engine) as session:
        still_paused = list(session.scalars(select(Case).where(Case.status == CLOSED, Case.paused.is_(True))))
        resumed = 0
        for case in still_paused:
            if resume(case.conversation_id):
                case.paused = False
                resumed += 1
    return {"expired": len(expired), "purged": purged, "sessions": sessions, "resumed": resumed}

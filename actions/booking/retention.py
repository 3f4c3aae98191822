"""Retention: an appointment's contact data is erased some time after it took place.

The appointment itself (date, motif, place, status) stays for the city's statistics;
the first name, the phone number, its pseudonym and the chat id are removed, and the
messages still in the outbox for it lose their recipient. The delay is
``SESAME_RETENTION_APPOINTMENTS_DAYS`` (90 by default); the worker's daily pass
(:func:`actions.common.retention.purge_all`) calls :func:`purge_contacts`.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.engine import Engine

from actions.booking.models import Appointment, AppointmentEvent
from actions.booking.queries import naive_utc
from actions.common.db import session_scope
from actions.common.settings import RETENTION_SETTINGS
from actions.notifications.models import Notification

DEFAULT_RETENTION_DAYS = RETENTION_SETTINGS["appointments"][2]


def purge_contacts(engine: Engine, now: datetime, retention_days: int = DEFAULT_RETENTION_DAYS) -> int:
    """Erase contact data of appointments that ended more than ``retention_days`` ago; returns how many."""
    limit = naive_utc(now) - timedelta(days=retention_days)
    with session_scope(engine) as session:
        old = list(session.scalars(
            select(Appointment).where(Appointment.ends_at < limit, Appointment.contact_purged_at.is_(None))
        ))
        for appt in old:
            appt.first_name = appt.phone_e164 = appt.phone_pseudonym = appt.sender_id = None
            appt.contact_purged_at = naive_utc(now)
            session.add(AppointmentEvent(appointment_id=appt.id, at=naive_utc(now), action="contact_purged",
                                         actor="system", detail=f"retention={retention_days}d"))
        if old:
            session.execute(
                update(Notification)
                .where(Notification.appointment_id.in_([a.id for a in old]))
                .values(recipient="", body="")
            )
        return len(old)

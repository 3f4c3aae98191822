"""The notification outbox: a message is written in the same transaction as its cause, sent later.

Writing the confirmation in the booking's transaction means a booking is never
left without its confirmation, and a crash of the sender only delays messages.
``dedupe_key`` is unique so a reminder can never be queued twice.
"""
from __future__ import annotations

from sqlalchemy import Column, DateTime, Index, Integer, String, Text

from actions.common.db import Base

PENDING = "pending"
SENT = "sent"
FAILED = "failed"
CANCELLED = "cancelled"


class Notification(Base):
    """One message to one resident through one channel, due at ``due_at`` (naive UTC)."""

    __tablename__ = "notifications_outbox"
    __table_args__ = (Index("ix_notifications_due", "status", "due_at"),)

    id = Column(Integer, primary_key=True)
    dedupe_key = Column(String(120), nullable=False, unique=True)
    kind = Column(String(32), nullable=False)
    channel = Column(String(32), nullable=False)
    recipient = Column(String(200), nullable=False)
    body = Column(Text, nullable=False)
    appointment_id = Column(Integer, nullable=True, index=True)
    due_at = Column(DateTime, nullable=False)
    status = Column(String(16), nullable=False, default=PENDING)
    attempts = Column(Integer, nullable=False, default=0)
    last_error = Column(String(300), nullable=False, default="")
    provider_message_id = Column(String(120), nullable=False, default="")
    created_at = Column(DateTime, nullable=False)
    sent_at = Column(DateTime, nullable=True)

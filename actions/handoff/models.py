"""Tables of the handoff capability (Alembic branch ``handoff``).

A case is Sésame's fiche de liaison (modelled on Dora's): what a conseiller needs to
call a resident back, and nothing more than the conversation gave. The conseillers'
accounts, their sessions and the audit log of every view and action on a case live
here too, because they exist only to serve cases.

Times are naive UTC, as in the notifications outbox.
"""
from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Index, Integer, String, Text

from actions.common.db import Base

# Status lifecycle: nouveau -> pris_en_charge -> attente_resident <-> pris_en_charge -> clos.
NEW = "nouveau"
TAKEN = "pris_en_charge"
WAITING = "attente_resident"
CLOSED = "clos"
STATUSES = (NEW, TAKEN, WAITING, CLOSED)
OPEN_STATUSES = (NEW, TAKEN, WAITING)

NORMAL = "normale"
URGENT = "urgente"

CONSEILLER_ROLE = "conseiller"
ADMIN_ROLE = "admin"
ROLES = (CONSEILLER_ROLE, ADMIN_ROLE)


class Case(Base):
    """One resident's request for a person."""

    __tablename__ = "handoff_cases"
    __table_args__ = (
        Index("ix_handoff_cases_status", "status", "created_at"),
        Index("ix_handoff_cases_conversation", "conversation_id", "status"),
    )

    id = Column(Integer, primary_key=True)
    reference = Column(String(12), nullable=False, unique=True)
    conversation_id = Column(String(128), nullable=False)
    channel = Column(String(20), nullable=False)
    theme = Column(String(80), nullable=False)
    urgency = Column(String(10), nullable=False, default=NORMAL)
    summary = Column(Text, nullable=False)
    contact_mode = Column(String(20), nullable=False)
    phone = Column(String(20), nullable=True)
    availability = Column(String(120), nullable=False, default="")
    status = Column(String(24), nullable=False, default=NEW)
    outcome = Column(String(40), nullable=True)
    assigned_to = Column(Integer, ForeignKey("console_users.id", ondelete="SET NULL"), nullable=True)
    created_at = Column(DateTime, nullable=False)
    updated_at = Column(DateTime, nullable=False)
    taken_at = Column(DateTime, nullable=True)
    closed_at = Column(DateTime, nullable=True)
    paused = Column(Boolean, nullable=False, default=False)


class Consent(Base):
    """A resident's yes to sharing their request: when, and for what."""

    __tablename__ = "handoff_consents"

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(128), nullable=False, index=True)
    case_id = Column(Integer, ForeignKey("handoff_cases.id", ondelete="SET NULL"), nullable=True)
    scope = Column(String(80), nullable=False)
    text_version = Column(String(20), nullable=False)
    given_at = Column(DateTime, nullable=False)


class CaseMessage(Base):
    """What a conseiller (or the console, for the resident) sent into the conversation.

    Kept here so that the web chat can fetch it after a reload: Rasa's socket.io output
    cannot be rebuilt from another process, and a browser may be offline when it is sent.
    """

    __tablename__ = "handoff_messages"

    id = Column(Integer, primary_key=True)
    case_id = Column(Integer, ForeignKey("handoff_cases.id", ondelete="CASCADE"), nullable=False, index=True)
    conversation_id = Column(String(128), nullable=False, index=True)
    author = Column(String(80), nullable=False)
    body = Column(Text, nullable=False)
    created_at = Column(DateTime, nullable=False)


class CaseNote(Base):
    """A conseiller's private note on a case: the resident never sees it."""

    __tablename__ = "handoff_notes"

    id = Column(Integer, primary_key=True)
    case_id = Column(Integer, ForeignKey("handoff_cases.id", ondelete="CASCADE"), nullable=False, index=True)
    author_id = Column(Integer, ForeignKey("console_users.id", ondelete="SET NULL"), nullable=True)
    author_name = Column(String(80), nullable=False)
    body = Column(Text, nullable=False)
    created_at = Column(DateTime, nullable=False)


class ConsoleUser(Base):
    """A conseiller or an admin of the console. Passwords are argon2 hashes only."""

    __tablename__ = "console_users"

    id = Column(Integer, primary_key=True)
    username = Column(String(80), nullable=False, unique=True)
    display_name = Column(String(80), nullable=False)
    service = Column(String(80), nullable=False, default="CCAS")
    role = Column(String(20), nullable=False)
    password_hash = Column(String(200), nullable=False)
    active = Column(Boolean, nullable=False, default=True)
    failed_logins = Column(Integer, nullable=False, default=0)
    locked_until = Column(DateTime, nullable=True)
    created_at = Column(DateTime, nullable=False)
    last_login_at = Column(DateTime, nullable=True)


class ConsoleSession(Base):
    """A signed-in browser: only the SHA-256 of its cookie is stored."""

    __tablename__ = "console_sessions"

    token_hash = Column(String(64), primary_key=True)
    user_id = Column(Integer, ForeignKey("console_users.id", ondelete="CASCADE"), nullable=False, index=True)
    csrf_token = Column(String(64), nullable=False)
    created_at = Column(DateTime, nullable=False)
    expires_at = Column(DateTime, nullable=False)


class AuditEntry(Base):
    """Who viewed or did what on which case, for the admin to read."""

    __tablename__ = "console_audit"

    id = Column(Integer, primary_key=True)
    at = Column(DateTime, nullable=False, index=True)
    user_id = Column(Integer, nullable=True)
    username = Column(String(80), nullable=False)
    action = Column(String(40), nullable=False)
    case_id = Column(Integer, nullable=True, index=True)
    detail = Column(String(300), nullable=False, default="")

"""Handoff: cases, consents, conseiller messages and notes, console accounts, sessions and audit.

Revision ID: handoff_0001
Revises:
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa

revision = "handoff_0001"
down_revision = None
branch_labels = ("handoff",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "console_users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("username", sa.String(80), nullable=False, unique=True),
        sa.Column("display_name", sa.String(80), nullable=False),
        sa.Column("service", sa.String(80), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("failed_logins", sa.Integer, nullable=False),
        sa.Column("locked_until", sa.DateTime, nullable=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("last_login_at", sa.DateTime, nullable=True),
    )
    op.create_table(
        "handoff_cases",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("reference", sa.String(12), nullable=False, unique=True),
        sa.Column("conversation_id", sa.String(128), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("theme", sa.String(80), nullable=False),
        sa.Column("urgency", sa.String(10), nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("contact_mode", sa.String(20), nullable=False),
        sa.Column("phone", sa.String(20), nullable=True),
        sa.Column("availability", sa.String(120), nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("outcome", sa.String(40), nullable=True),
        sa.Column("assigned_to", sa.Integer, sa.ForeignKey("console_users.id", ondelete="SET NULL"), nullable=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.Column("taken_at", sa.DateTime, nullable=True),
        sa.Column("closed_at", sa.DateTime, nullable=True),
        sa.Column("paused", sa.Boolean, nullable=False),
    )
    op.create_index("ix_handoff_cases_status", "handoff_cases", ["status", "created_at"])
    op.create_index("ix_handoff_cases_conversation", "handoff_cases", ["conversation_id", "status"])
    op.create_table(
        "handoff_consents",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("conversation_id", sa.String(128), nullable=False, index=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("handoff_cases.id", ondelete="SET NULL"), nullable=True),
        sa.Column("scope", sa.String(80), nullable=False),
        sa.Column("text_version", sa.String(20), nullable=False),
        sa.Column("given_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "handoff_messages",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("handoff_cases.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("conversation_id", sa.String(128), nullable=False, index=True),
        sa.Column("author", sa.String(80), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "handoff_notes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("handoff_cases.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("author_id", sa.Integer, sa.ForeignKey("console_users.id", ondelete="SET NULL"), nullable=True),
        sa.Column("author_name", sa.String(80), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "console_sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("console_users.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("expires_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "console_audit",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.DateTime, nullable=False, index=True),
        sa.Column("user_id", sa.Integer, nullable=True),
        sa.Column("username", sa.String(80), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("case_id", sa.Integer, nullable=True, index=True),
        sa.Column("detail", sa.String(300), nullable=False),
    )


def downgrade() -> None:
    for table in ("console_audit", "console_sessions", "handoff_notes", "handoff_messages",
                  "handoff_consents", "handoff_cases", "console_users"):
        op.drop_table(table)

"""Channels: SMS opt-outs, SMS contacts and last choices, SMS rate windows, Telegram callbacks.

Revision ID: channels_0001
Revises:
Create Date: 2026-11-25
"""
from alembic import op
import sqlalchemy as sa

revision = "channels_0001"
down_revision = None
branch_labels = ("channels",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "channels_sms_optouts",
        sa.Column("number_key", sa.String(40), primary_key=True),
        sa.Column("keyword", sa.String(20), nullable=False),
        sa.Column("opted_out_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "channels_sms_contacts",
        sa.Column("sender_id", sa.String(40), primary_key=True),
        sa.Column("phone_e164", sa.String(20), nullable=False),
        sa.Column("last_choices", sa.Text, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "channels_sms_rate_windows",
        sa.Column("number_key", sa.String(40), primary_key=True),
        sa.Column("window_start", sa.DateTime(timezone=True), primary_key=True),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("notified", sa.Boolean, nullable=False),
    )
    op.create_table(
        "channels_telegram_callbacks",
        sa.Column("callback_id", sa.String(64), primary_key=True),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("channels_telegram_callbacks")
    op.drop_table("channels_sms_rate_windows")
    op.drop_table("channels_sms_contacts")
    op.drop_table("channels_sms_optouts")

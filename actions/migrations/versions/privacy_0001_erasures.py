"""Privacy: conversations waiting to be erased from the tracker store.

Revision ID: privacy_0001
Revises:
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa

revision = "privacy_0001"
down_revision = None
branch_labels = ("privacy",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "privacy_erasures",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("conversation_id", sa.String(128), nullable=False, unique=True),
        sa.Column("requested_at", sa.DateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("privacy_erasures")

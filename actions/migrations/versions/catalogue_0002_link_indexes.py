"""Catalogue: index the (source, service_id) links so search joins and re-imports stay fast.

Revision ID: catalogue_0002
Revises: catalogue_0001
Create Date: 2026-11-25
"""
from __future__ import annotations

from alembic import op

revision = "catalogue_0002"
down_revision = "catalogue_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_catalogue_service_thematiques_service",
        "catalogue_service_thematiques",
        ["source", "service_id"],
    )
    op.create_index(
        "ix_catalogue_service_publics_service", "catalogue_service_publics", ["source", "service_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_catalogue_service_publics_service", "catalogue_service_publics")
    op.drop_index("ix_catalogue_service_thematiques_service", "catalogue_service_thematiques")

"""Catalogue: index updated_at so the per-search version check reads two index ends, not tables.

Every search first reads the catalogue's version (row counts and last update times) to know
whether its in-memory index is still current; ``max(updated_at)`` is then one index lookup.

Revision ID: catalogue_0003
Revises: catalogue_0002
Create Date: 2026-11-25
"""
from __future__ import annotations

from alembic import op

revision = "catalogue_0003"
down_revision = "catalogue_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_catalogue_services_updated_at", "catalogue_services", ["updated_at"])
    op.create_index("ix_catalogue_structures_updated_at", "catalogue_structures", ["updated_at"])


def downgrade() -> None:
    op.drop_index("ix_catalogue_structures_updated_at", "catalogue_structures")
    op.drop_index("ix_catalogue_services_updated_at", "catalogue_services")

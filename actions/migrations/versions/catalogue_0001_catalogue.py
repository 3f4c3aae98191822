"""Catalogue: data·inclusion v1 structures and services, plus thematique/public index tables.

Revision ID: catalogue_0001
Revises:
Create Date: 2026-11-25
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "catalogue_0001"
down_revision = None
branch_labels = ("catalogue",)
depends_on = None


def _address_columns() -> list[sa.Column]:
    return [
        sa.Column("adresse", sa.String(300)),
        sa.Column("commune", sa.String(150)),
        sa.Column("code_postal", sa.String(5)),
        sa.Column("code_insee", sa.String(5)),
    ]


def upgrade() -> None:
    op.create_table(
        "catalogue_structures",
        sa.Column("source", sa.String(100), primary_key=True),
        sa.Column("id", sa.String(150), primary_key=True),
        sa.Column("nom", sa.String(150), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("siret", sa.String(14)),
        sa.Column("adresse", sa.String(300)),
        sa.Column("complement_adresse", sa.String(300)),
        sa.Column("commune", sa.String(150)),
        sa.Column("code_postal", sa.String(5)),
        sa.Column("code_insee", sa.String(5)),
        sa.Column("latitude", sa.Float()),
        sa.Column("longitude", sa.Float()),
        sa.Column("telephone", sa.String(20)),
        sa.Column("courriel", sa.String(254)),
        sa.Column("site_web", sa.String(2083)),
        sa.Column("horaires_accueil", sa.Text()),
        sa.Column("accessibilite_lieu", sa.String(2083)),
        sa.Column("reseaux_porteurs", sa.JSON(), nullable=False),
        sa.Column("date_maj", sa.Date(), nullable=False),
        sa.Column("x_quartiers", sa.JSON(), nullable=False),
        sa.Column("x_fermetures", sa.JSON(), nullable=False),
        sa.Column("x_langues", sa.JSON(), nullable=False),
        sa.Column("x_accessibilite", sa.Text()),
        sa.Column("x_source_url", sa.String(2083)),
        sa.Column("updated_at", sa.DateTime(), nullable=False, server_default=sa.func.now()),
    )
    op.create_table(
        "catalogue_services",
        sa.Column("source", sa.String(100), primary_key=True),
        sa.Column("id", sa.String(150), primary_key=True),
        sa.Column("structure_id", sa.String(150), nullable=False),
        sa.Column("nom", sa.String(150), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("type", sa.String(50)),
        sa.Column("thematiques", sa.JSON(), nullable=False),
        sa.Column("frais", sa.String(20)),
        sa.Column("frais_precisions", sa.Text()),
        sa.Column("publics", sa.JSON(), nullable=False),
        sa.Column("publics_precisions", sa.Text()),
        sa.Column("conditions_acces", sa.Text()),
        sa.Column("telephone", sa.String(20)),
        sa.Column("courriel", sa.String(254)),
        sa.Column("modes_accueil", sa.JSON(), nullable=False),
        sa.Column("modes_mobilisation", sa.JSON(), nullable=False),
        sa.Column("mobilisation_precisions", sa.Text()),
        sa.Column("lien_mobilisation", sa.String(2083)),
        sa.Column("zone_eligibilite", sa.JSON(), nullable=False),
        sa.Column("horaires_accueil", sa.Text()),
        *_address_columns(),
        sa.Column("date_maj", sa.Date(), nullable=False),
        sa.Column("x_quartiers", sa.JSON(), nullable=False),
        sa.Column("x_fermetures", sa.JSON(), nullable=False),
        sa.Column("x_langues", sa.JSON(), nullable=False),
        sa.Column("x_documents", sa.JSON(), nullable=False),
        sa.Column("x_mots_cles", sa.JSON(), nullable=False),
        sa.Column("x_statut", sa.String(20), nullable=False),
        sa.Column("x_source_url", sa.String(2083)),
        sa.Column("x_texte_recherche", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False, server_default=sa.func.now()),
        sa.ForeignKeyConstraint(
            ["source", "structure_id"],
            ["catalogue_structures.source", "catalogue_structures.id"],
            ondelete="CASCADE",
            name="fk_catalogue_services_structure",
        ),
    )
    op.create_index(
        "ix_catalogue_services_structure", "catalogue_services", ["source", "structure_id"]
    )
    op.create_table(
        "catalogue_service_thematiques",
        sa.Column("pk", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("source", sa.String(100), nullable=False),
        sa.Column("service_id", sa.String(150), nullable=False),
        sa.Column("thematique", sa.String(150), nullable=False),
        sa.Column("categorie", sa.String(100), nullable=False),
        sa.ForeignKeyConstraint(
            ["source", "service_id"],
            ["catalogue_services.source", "catalogue_services.id"],
            ondelete="CASCADE",
            name="fk_catalogue_service_thematiques_service",
        ),
    )
    op.create_index(
        "ix_catalogue_service_thematiques_categorie", "catalogue_service_thematiques", ["categorie"]
    )
    op.create_index(
        "ix_catalogue_service_thematiques_thematique",
        "catalogue_service_thematiques",
        ["thematique"],
    )
    op.create_table(
        "catalogue_service_publics",
        sa.Column("pk", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("source", sa.String(100), nullable=False),
        sa.Column("service_id", sa.String(150), nullable=False),
        sa.Column("public", sa.String(100), nullable=False),
        sa.ForeignKeyConstraint(
            ["source", "service_id"],
            ["catalogue_services.source", "catalogue_services.id"],
            ondelete="CASCADE",
            name="fk_catalogue_service_publics_service",
        ),
    )
    op.create_index(
        "ix_catalogue_service_publics_public", "catalogue_service_publics", ["public"]
    )


def downgrade() -> None:
    op.drop_index("ix_catalogue_service_publics_public", "catalogue_service_publics")
    op.drop_table("catalogue_service_publics")
    op.drop_index("ix_catalogue_service_thematiques_thematique", "catalogue_service_thematiques")
    op.drop_index("ix_catalogue_service_thematiques_categorie", "catalogue_service_thematiques")
    op.drop_table("catalogue_service_thematiques")
    op.drop_index("ix_catalogue_services_structure", "catalogue_services")
    op.drop_table("catalogue_services")
    op.drop_table("catalogue_structures")

"""Catalogue tables: data·inclusion v1 structures and services, plus Sésame's ``x_`` extensions.

Records are keyed by ``(source, id)`` as in data·inclusion, so a city can load several producers'
exports side by side and re-import them without duplicates. List-valued fields are JSON columns;
the two fields search filters on (thematiques, publics) are also copied into small indexed tables
so that a query stays fast with thousands of services.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    func,
)
from sqlalchemy.orm import relationship

from actions.common.db import Base


class Structure(Base):
    """A place or organisation that offers services (data·inclusion ``Structure``)."""

    __tablename__ = "catalogue_structures"
    # Search's version check reads max(updated_at) on every turn (migration catalogue_0003).
    __table_args__ = (Index("ix_catalogue_structures_updated_at", "updated_at"),)

    source = Column(String(100), primary_key=True)
    id = Column(String(150), primary_key=True)
    nom = Column(String(150), nullable=False)
    description = Column(Text, nullable=False)
    siret = Column(String(14))
    adresse = Column(String(300))
    complement_adresse = Column(String(300))
    commune = Column(String(150))
    code_postal = Column(String(5))
    code_insee = Column(String(5))
    latitude = Column(Float)
    longitude = Column(Float)
    telephone = Column(String(20))
    courriel = Column(String(254))
    site_web = Column(String(2083))
    horaires_accueil = Column(Text)
    accessibilite_lieu = Column(String(2083))
    reseaux_porteurs = Column(JSON, nullable=False, default=list)
    date_maj = Column(Date, nullable=False)
    # --- local extensions
    x_quartiers = Column(JSON, nullable=False, default=list)
    x_fermetures = Column(JSON, nullable=False, default=list)
    x_langues = Column(JSON, nullable=False, default=list)
    x_accessibilite = Column(Text)
    x_source_url = Column(String(2083))
    updated_at = Column(
        DateTime, nullable=False, server_default=func.now(), default=datetime.utcnow,
        onupdate=datetime.utcnow,
    )

    services = relationship("Service", back_populates="structure", cascade="all, delete-orphan")


class Service(Base):
    """Something a resident can get: help, a place, a tariff (data·inclusion ``Service``)."""

    __tablename__ = "catalogue_services"
    __table_args__ = (
        ForeignKeyConstraint(
            ["source", "structure_id"],
            ["catalogue_structures.source", "catalogue_structures.id"],
            ondelete="CASCADE",
            name="fk_catalogue_services_structure",
        ),
        Index("ix_catalogue_services_structure", "source", "structure_id"),
        Index("ix_catalogue_services_updated_at", "updated_at"),
    )

    source = Column(String(100), primary_key=True)
    id = Column(String(150), primary_key=True)
    structure_id = Column(String(150), nullable=False)
    nom = Column(String(150), nullable=False)
    description = Column(Text, nullable=False)
    type = Column(String(50))
    thematiques = Column(JSON, nullable=False, default=list)
    frais = Column(String(20))
    frais_precisions = Column(Text)
    publics = Column(JSON, nullable=False, default=list)
    publics_precisions = Column(Text)
    conditions_acces = Column(Text)
    telephone = Column(String(20))
    courriel = Column(String(254))
    modes_accueil = Column(JSON, nullable=False, default=list)
    modes_mobilisation = Column(JSON, nullable=False, default=list)
    mobilisation_precisions = Column(Text)
    lien_mobilisation = Column(String(2083))
    zone_eligibilite = Column(JSON, nullable=False, default=list)
    horaires_accueil = Column(Text)
    adresse = Column(String(300))
    commune = Column(String(150))
    code_postal = Column(String(5))
    code_insee = Column(String(5))
    date_maj = Column(Date, nullable=False)
    # --- local extensions
    x_quartiers = Column(JSON, nullable=False, default=list)
    x_fermetures = Column(JSON, nullable=False, default=list)
    x_langues = Column(JSON, nullable=False, default=list)
    x_documents = Column(JSON, nullable=False, default=list)
    x_mots_cles = Column(JSON, nullable=False, default=list)
    x_statut = Column(String(20), nullable=False, default="actif")
    x_source_url = Column(String(2083))
    x_texte_recherche = Column(Text, nullable=False, default="")
    updated_at = Column(
        DateTime, nullable=False, server_default=func.now(), default=datetime.utcnow,
        onupdate=datetime.utcnow,
    )

    structure = relationship("Structure", back_populates="services")


class ServiceThematique(Base):
    """One (service, thematique) pair, with its top-level category, for indexed filtering."""

    __tablename__ = "catalogue_service_thematiques"
    __table_args__ = (
        ForeignKeyConstraint(
            ["source", "service_id"],
            ["catalogue_services.source", "catalogue_services.id"],
            ondelete="CASCADE",
            name="fk_catalogue_service_thematiques_service",
        ),
        Index("ix_catalogue_service_thematiques_categorie", "categorie"),
        Index("ix_catalogue_service_thematiques_thematique", "thematique"),
        Index("ix_catalogue_service_thematiques_service", "source", "service_id"),
    )

    pk = Column(Integer, primary_key=True, autoincrement=True)
    source = Column(String(100), nullable=False)
    service_id = Column(String(150), nullable=False)
    thematique = Column(String(150), nullable=False)
    categorie = Column(String(100), nullable=False)


class ServicePublic(Base):
    """One (service, public) pair for indexed filtering by audience."""

    __tablename__ = "catalogue_service_publics"
    __table_args__ = (
        ForeignKeyConstraint(
            ["source", "service_id"],
            ["catalogue_services.source", "catalogue_services.id"],
            ondelete="CASCADE",
            name="fk_catalogue_service_publics_service",
        ),
        Index("ix_catalogue_service_publics_public", "public"),
        Index("ix_catalogue_service_publics_service", "source", "service_id"),
    )

    pk = Column(Integer, primary_key=True, autoincrement=True)
    source = Column(String(100), nullable=False)
    service_id = Column(String(150), nullable=False)
    public = Column(String(100), nullable=False)


def parse_date(value: str | date) -> date:
    """data·inclusion dates are ISO strings; YAML may already give a ``date``."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))

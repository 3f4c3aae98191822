"""Write validated data·inclusion records into the catalogue tables (upsert by source and id).

Shared by the seed loader and the importer so both follow exactly the same rules.
"""
from __future__ import annotations

import re
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from actions.catalogue.models import (
    Service,
    ServicePublic,
    ServiceThematique,
    Structure,
    parse_date,
)
from actions.catalogue.referentiels import categorie, get_referentiels
from actions.catalogue.validation import normalise_phone
from actions.common.text import fold

STRUCTURE_FIELDS = (
    "nom", "description", "siret", "adresse", "complement_adresse", "commune", "code_postal",
    "code_insee", "latitude", "longitude", "courriel", "site_web", "horaires_accueil",
    "accessibilite_lieu", "x_accessibilite", "x_source_url",
)
STRUCTURE_LISTS = ("reseaux_porteurs", "x_quartiers", "x_fermetures", "x_langues")
SERVICE_FIELDS = (
    "structure_id", "nom", "description", "type", "frais", "frais_precisions",
    "publics_precisions", "conditions_acces", "courriel", "mobilisation_precisions",
    "lien_mobilisation", "horaires_accueil", "adresse", "commune", "code_postal", "code_insee",
    "x_source_url",
)
SERVICE_LISTS = (
    "thematiques", "publics", "modes_accueil", "modes_mobilisation", "zone_eligibilite",
    "x_quartiers", "x_fermetures", "x_langues", "x_documents", "x_mots_cles",
)


def _blank_to_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


def search_text(record: dict[str, Any]) -> str:
    """Folded words a resident might use for this service: name, description, keywords, labels."""
    labels = get_referentiels().categorie_labels
    cats = {categorie(t) for t in record.get("thematiques") or []}
    words = [
        record.get("nom") or "",
        record.get("description") or "",
        " ".join(record.get("x_mots_cles") or []),
        " ".join(labels.get(c, "") for c in sorted(cats)),
    ]
    tokens = re.findall(r"[a-z0-9]+", fold(" ".join(words)).replace("'", " "))
    return " " + " ".join(tokens) + " "


def upsert_structure(session: Session, record: dict[str, Any]) -> Structure:
    key = (record["source"], record["id"])
    row = session.get(Structure, key) or Structure(source=key[0], id=key[1])
    for field in STRUCTURE_FIELDS:
        setattr(row, field, _blank_to_none(record.get(field)))
    for field in STRUCTURE_LISTS:
        setattr(row, field, list(record.get(field) or []))
    row.telephone = normalise_phone(record.get("telephone"))
    row.date_maj = parse_date(record["date_maj"])
    session.add(row)
    return row


def upsert_service(session: Session, record: dict[str, Any]) -> Service:
    key = (record["source"], record["id"])
    row = session.get(Service, key) or Service(source=key[0], id=key[1])
    for field in SERVICE_FIELDS:
        setattr(row, field, _blank_to_none(record.get(field)))
    for field in SERVICE_LISTS:
        setattr(row, field, list(record.get(field) or []))
    row.telephone = normalise_phone(record.get("telephone"))
    row.date_maj = parse_date(record["date_maj"])
    row.x_statut = record.get("x_statut") or "actif"
    row.x_texte_recherche = search_text(record)
    session.add(row)
    session.flush()
    session.execute(
        delete(ServiceThematique).where(
            ServiceThematique.source == key[0], ServiceThematique.service_id == key[1]
        )
    )
    session.execute(
        delete(ServicePublic).where(ServicePublic.source == key[0], ServicePublic.service_id == key[1])
    )
    session.add_all(
        ServiceThematique(source=key[0], service_id=key[1], thematique=t, categorie=categorie(t))
        for t in dict.fromkeys(row.thematiques)
    )
    session.add_all(
        ServicePublic(source=key[0], service_id=key[1], public=p) for p in dict.fromkeys(row.publics)
    )
    return row

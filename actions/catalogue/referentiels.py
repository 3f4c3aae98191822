"""The schema's value lists (thematiques, publics, types…) and our labels, read from data files.

Value lists come from the vendored data·inclusion v1 JSON Schema so that validation and
search use exactly one list; labels and neighbourhoods come from ``referentiels.yml``.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from actions.common.settings import get_settings
from actions.common.text import fold


def catalogue_dir() -> Path:
    """Where the catalogue's reviewed data lives (``data/catalogue``)."""
    return get_settings().data_dir / "catalogue"


@lru_cache(maxsize=4)
def load_schema(name: str) -> dict[str, Any]:
    """One vendored JSON Schema: ``service``, ``structure`` or ``extensions``."""
    return json.loads((catalogue_dir() / "schema" / f"{name}.v1.json").read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Quartier:
    id: str
    nom: str
    synonymes: tuple[str, ...]


@dataclass(frozen=True)
class Referentiels:
    """Allowed values and their plain-French labels."""

    thematiques: frozenset[str]
    publics: frozenset[str]
    types: frozenset[str]
    frais: frozenset[str]
    modes_accueil: frozenset[str]
    modes_mobilisation: frozenset[str]
    reseaux_porteurs: frozenset[str]
    categorie_labels: dict[str, str]
    public_labels: dict[str, str]
    type_labels: dict[str, str]
    quartiers: tuple[Quartier, ...]

    def quartier(self, quartier_id: str) -> Quartier | None:
        return next((q for q in self.quartiers if q.id == quartier_id), None)

    def quartier_from_text(self, text: str) -> str | None:
        """The neighbourhood a resident names ("au biolay", "près des Hauts"), if any."""
        folded = f" {_plain(text)} "
        best: tuple[int, str] | None = None
        for key, quartier_id in _quartier_keys(self.quartiers):
            if key in folded and (best is None or len(key) > best[0]):
                best = (len(key), quartier_id)
        return best[1] if best else None


@lru_cache(maxsize=4)
def _quartier_keys(quartiers: tuple[Quartier, ...]) -> tuple[tuple[str, str], ...]:
    """Folded names and synonyms of each neighbourhood, folded once rather than on every message."""
    return tuple(
        (f" {_plain(syn)} ", q.id)
        for q in quartiers
        for syn in (q.id.replace("-", " "), *q.synonymes)
    )


def _plain(text: str) -> str:
    """Folded words separated by single spaces (punctuation and hyphens dropped)."""
    return " ".join(re.findall(r"[a-z0-9]+", fold(text).replace("'", " ")))


def categorie(thematique: str) -> str:
    """Top-level category of a thematique (``sante--acces-aux-soins`` → ``sante``)."""
    return thematique.split("--", 1)[0]


def _enum(schema: dict[str, Any], name: str) -> frozenset[str]:
    return frozenset(schema["$defs"][name]["enum"])


@lru_cache(maxsize=1)
def get_referentiels() -> Referentiels:
    service = load_schema("service")
    structure = load_schema("structure")
    labels = yaml.safe_load((catalogue_dir() / "referentiels.yml").read_text(encoding="utf-8"))
    return Referentiels(
        thematiques=_enum(service, "Thematique"),
        publics=_enum(service, "Public"),
        types=_enum(service, "TypeService"),
        frais=_enum(service, "Frais"),
        modes_accueil=_enum(service, "ModeAccueil"),
        modes_mobilisation=_enum(service, "ModeMobilisation"),
        reseaux_porteurs=_enum(structure, "ReseauPorteur"),
        categorie_labels=dict(labels["categories"]),
        public_labels=dict(labels["publics"]),
        type_labels=dict(labels["types"]),
        quartiers=tuple(
            Quartier(q["id"], q["nom"], tuple(q.get("synonymes", ()))) for q in labels["quartiers"]
        ),
    )

"""Small data·inclusion records for tests: valid by default, broken by overriding a field."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def structure(**overrides: Any) -> dict[str, Any]:
    record = {
        "source": "test-export",
        "id": "centre-social-test",
        "nom": "Centre social des Tests",
        "description": "Un centre social de test qui accueille les habitants du quartier pour des activités.",
        "date_maj": "2026-10-01",
        "telephone": "04 79 00 00 00",
        "adresse": "1 rue des Tests",
        "commune": "Chambéry",
        "horaires_accueil": "Mo-Fr 09:00-12:00,14:00-17:00; PH off",
        "x_quartiers": ["biollay"],
    }
    record.update(overrides)
    return record


def service(**overrides: Any) -> dict[str, Any]:
    record = {
        "source": "test-export",
        "id": "epicerie-test",
        "structure_id": "centre-social-test",
        "nom": "Épicerie solidaire de test",
        "description": "Une épicerie solidaire de test : des produits à petit prix pour les familles en difficulté.",
        "date_maj": "2026-10-01",
        "thematiques": ["equipement-et-alimentation--alimentation"],
        "publics": ["familles"],
        "frais": "payant",
        "modes_accueil": ["en-presentiel"],
    }
    record.update(overrides)
    return record


def write_json(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text(json.dumps(records, ensure_ascii=False, indent=2), encoding="utf-8")
    return path

"""The domain as one mapping, read from domain/ (one file per capability, as Rasa merges them).

Rasa reads the folder itself (``--domain domain``); this is for the tools and the tests that read
responses and slots without loading Rasa. A key defined in two files is an error here, where
Rasa would let the last file win without a word.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
DOMAIN_DIR = ROOT / "domain"


class DuplicateDomainKey(ValueError):
    """Two domain files define the same intent, slot, response, action or form."""


def domain_files(folder: Path = DOMAIN_DIR) -> list[Path]:
    return sorted(folder.glob("*.yml"))


def load_domain(folder: Path = DOMAIN_DIR) -> dict[str, Any]:
    """Every domain file merged: lists joined, mappings united, each name defined once."""
    merged: dict[str, Any] = {}
    for path in domain_files(folder):
        part = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for key, value in part.items():
            if isinstance(value, list):
                known = {_name(item) for item in merged.get(key, [])}
                twice = [_name(item) for item in value if _name(item) in known]
                if twice:
                    raise DuplicateDomainKey(f"{path.name}: {key} {twice} already defined")
                merged.setdefault(key, []).extend(value)
            elif isinstance(value, dict) and key != "session_config":
                twice = sorted(set(value) & set(merged.get(key, {})))
                if twice:
                    raise DuplicateDomainKey(f"{path.name}: {key} {twice} already defined")
                merged.setdefault(key, {}).update(value)
            else:
                merged[key] = value
    return merged


def _name(item: Any) -> str:
    return next(iter(item)) if isinstance(item, dict) else str(item)

"""Load the reviewed seed catalogue (``data/catalogue/*.yml``) into the database, idempotently.

Running it twice leaves the same rows: records are upserted by (source, id). The seed is
validated with the same rules as an import, and any invalid record aborts the whole load.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.engine import Engine

from actions.catalogue.importer import ImportReport, import_records
from actions.catalogue.referentiels import catalogue_dir


@dataclass(frozen=True)
class SeedRecord:
    line: int
    record: dict[str, Any]


def _with_defaults(path: Path, key: str) -> list[tuple[int, dict[str, Any]]]:
    """Records of one seed file, each with the file's ``defaults`` and its line number."""
    text = path.read_text(encoding="utf-8")
    document = yaml.compose(text)
    data = yaml.safe_load(text)
    defaults = data.get("defaults", {})
    nodes = next(v for k, v in document.value if k.value == key).value
    return [
        (node.start_mark.line + 1, {**defaults, **record})
        for node, record in zip(nodes, data[key])
    ]


def seed_records(directory: Path | None = None) -> list[tuple[str, int, dict[str, Any]]]:
    """(file name, line, record) for every structure then every service of the seed."""
    base = directory or catalogue_dir()
    out: list[tuple[str, int, dict[str, Any]]] = []
    for name, key in (("structures.yml", "structures"), ("services.yml", "services")):
        out += [(name, line, rec) for line, rec in _with_defaults(base / name, key)]
    return out


def load_seed(engine: Engine | None = None, directory: Path | None = None) -> ImportReport:
    """Validate and upsert the whole seed in one transaction."""
    return import_records(seed_records(directory), engine=engine)

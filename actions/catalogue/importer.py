"""Import data·inclusion v1 exports (JSON or CSV; structures and services) into the catalogue.

All or nothing: every row is validated first; if any row is wrong, nothing is written and every
bad row is reported with its file, line and field. Valid files are upserted by (source, id) in a
single transaction, so re-importing the same export creates no duplicate.
"""
from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from sqlalchemy import select, text
from sqlalchemy.engine import Engine

from actions.catalogue.models import Service, Structure
from actions.catalogue.store import upsert_service, upsert_structure
from actions.catalogue.validation import record_kind, validate_record
from actions.common.db import get_engine, session_scope

LIST_FIELDS = frozenset({
    "thematiques", "publics", "modes_accueil", "modes_mobilisation", "mobilisable_par",
    "zone_eligibilite", "reseaux_porteurs", "x_quartiers", "x_fermetures", "x_langues",
    "x_documents", "x_mots_cles",
})
FLOAT_FIELDS = frozenset({"latitude", "longitude", "volume_horaire_hebdomadaire"})
INT_FIELDS = frozenset({"nombre_semaines"})

Row = tuple[str, int, dict[str, Any]]
CATALOGUE_TABLES = (
    "catalogue_structures", "catalogue_services",
    "catalogue_service_thematiques", "catalogue_service_publics",
)


class ImportFileError(ValueError):
    """The file itself cannot be read (unknown format, broken JSON, not a list of records)."""


@dataclass(frozen=True)
class RowError:
    file: str
    line: int
    record_id: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line} [{self.record_id}] {self.field} : {self.message}"


class ImportRejected(Exception):
    """At least one row is invalid: nothing was imported. ``errors`` lists them all."""

    def __init__(self, errors: list[RowError]):
        super().__init__(f"{len(errors)} erreur(s), rien n'a été importé")
        self.errors = errors


@dataclass
class ImportReport:
    created: dict[str, int] = field(default_factory=lambda: {"structure": 0, "service": 0})
    updated: dict[str, int] = field(default_factory=lambda: {"structure": 0, "service": 0})

    def summary(self) -> str:
        return (
            f"structures : {self.created['structure']} créées, {self.updated['structure']} mises à jour ; "
            f"services : {self.created['service']} créés, {self.updated['service']} mis à jour"
        )


def _json_rows(path: Path) -> list[Row]:
    """Records of a JSON array, each with the line where its object starts."""
    text = path.read_text(encoding="utf-8")
    decoder = json.JSONDecoder()
    index = len(text) - len(text.lstrip())
    if not text[index:index + 1] == "[":
        raise ImportFileError(f"{path.name} : un fichier JSON doit contenir une liste [ … ]")
    index += 1
    rows: list[Row] = []
    while True:
        while index < len(text) and text[index] in " \t\r\n,":
            index += 1
        if index >= len(text):
            raise ImportFileError(f"{path.name} : la liste JSON n'est pas fermée")
        if text[index] == "]":
            return rows
        line = text.count("\n", 0, index) + 1
        try:
            record, index = decoder.raw_decode(text, index)
        except json.JSONDecodeError as exc:
            raise ImportFileError(f"{path.name}:{exc.lineno} : JSON invalide ({exc.msg})") from exc
        if not isinstance(record, dict):
            raise ImportFileError(f"{path.name}:{line} : chaque élément doit être un objet")
        rows.append((path.name, line, record))


def _csv_value(name: str, raw: str) -> Any:
    value = raw.strip()
    if name in LIST_FIELDS:
        if value.startswith("["):
            try:
                return json.loads(value)
            except json.JSONDecodeError:
                return value  # reported by the schema as "not an array"
        return [part.strip() for part in value.split(",") if part.strip()]
    if name in FLOAT_FIELDS:
        try:
            return float(value.replace(",", "."))
        except ValueError:
            return value
    if name in INT_FIELDS:
        try:
            return int(value)
        except ValueError:
            return value
    return value


def _csv_rows(path: Path) -> list[Row]:
    """Records of a CSV export (header row, UTF-8, `,` or `;`); empty cells mean "no value"."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        sample = handle.read(4096)
        handle.seek(0)
        delimiter = ";" if sample.count(";") > sample.count(",") else ","
        reader = csv.DictReader(handle, delimiter=delimiter)
        rows: list[Row] = []
        for record in reader:
            cleaned = {
                k.strip(): _csv_value(k.strip(), v or "")
                for k, v in record.items()
                if k and v is not None and v.strip()
            }
            rows.append((path.name, reader.line_num, cleaned))
        return rows


def read_file(path: Path) -> list[Row]:
    """(file, line, record) for each record of a data·inclusion JSON or CSV export."""
    suffix = path.suffix.lower()
    if suffix == ".json":
        return _json_rows(path)
    if suffix == ".csv":
        return _csv_rows(path)
    raise ImportFileError(f"{path.name} : format inconnu (attendu .json ou .csv)")


def _check_rows(rows: list[Row], engine: Engine | None) -> list[RowError]:
    errors: list[RowError] = []
    seen: dict[tuple[str, str, str], tuple[str, int]] = {}
    structures_in_file: set[tuple[str, str]] = set()
    for name, line, record in rows:
        rid = str(record.get("id", "?"))
        for err in validate_record(record):
            errors.append(RowError(name, line, rid, err.field, err.message))
        kind = record_kind(record)
        key = (kind, str(record.get("source")), rid)
        if key in seen:
            first = seen[key]
            errors.append(
                RowError(name, line, rid, "id", f"en double (déjà ligne {first[1]} de {first[0]})")
            )
        seen[key] = (name, line)
        if kind == "structure":
            structures_in_file.add((str(record.get("source")), rid))
    needed = {
        (str(r.get("source")), str(r.get("structure_id"))): (n, ln, r)
        for n, ln, r in rows
        if record_kind(r) == "service"
    }
    missing = set(needed) - structures_in_file
    if missing:
        with session_scope(engine) as session:
            known = {
                (s, i)
                for s, i in session.execute(select(Structure.source, Structure.id)).all()
                if (s, i) in missing
            }
        for n, ln, r in rows:
            key2 = (str(r.get("source")), str(r.get("structure_id")))
            if record_kind(r) == "service" and key2 in missing - known:
                errors.append(
                    RowError(n, ln, str(r.get("id", "?")), "structure_id",
                             f"structure inconnue : {r.get('structure_id')!r}")
                )
    return errors


def import_records(rows: Iterable[Row], engine: Engine | None = None) -> ImportReport:
    """Validate every row, then upsert them all in one transaction (or raise ImportRejected)."""
    rows = list(rows)
    errors = _check_rows(rows, engine)
    if errors:
        raise ImportRejected(errors)
    report = ImportReport()
    ordered = sorted(rows, key=lambda row: record_kind(row[2]) == "service")
    with session_scope(engine) as session:
        for _name, _line, record in ordered:
            kind = record_kind(record)
            model = Service if kind == "service" else Structure
            exists = session.get(model, (record["source"], record["id"])) is not None
            (upsert_service if kind == "service" else upsert_structure)(session, record)
            (report.updated if exists else report.created)[kind] += 1
    refresh_statistics(engine)
    return report


def refresh_statistics(engine: Engine | None = None) -> None:
    """Let PostgreSQL's planner see the catalogue as imported, not as it was before.

    Without fresh statistics (autovacuum runs late, or is off) PostgreSQL plans the search's
    primary-key lookups as scans of a whole source's services. SQLite needs nothing.
    """
    engine = engine or get_engine()
    if engine.dialect.name != "postgresql":
        return
    # In a plain transaction: an isolation level set on a pooled psycopg2 connection stays
    # explicit after it is reset, and every later autocommit switch then costs a SET round trip.
    with engine.begin() as connection:
        connection.execute(text("ANALYZE " + ", ".join(CATALOGUE_TABLES)))


def import_files(paths: Iterable[Path], engine: Engine | None = None) -> ImportReport:
    """Import several export files together (e.g. structures.csv and services.csv)."""
    rows: list[Row] = []
    for path in paths:
        rows += read_file(Path(path))
    return import_records(rows, engine)

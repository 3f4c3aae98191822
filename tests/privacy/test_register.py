"""The register of personal data (docs/donnees-personnelles.md) names every column Sésame stores.

Read from the code (every SQLAlchemy model of the app, Rasa's tracker ``events`` table) and from
the databases themselves (the migrated schema on SQLite and PostgreSQL, a real tracker store):
a column missing from the register, or one the register names that no longer exists, fails.
The register's retention table must also say what the code does (kind, variable, default).
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import inspect

from actions.common.db import Base
from actions.common.migrate import import_all_models
from actions.common.retention import KINDS
from actions.common.settings import RETENTION_SETTINGS
from tests.privacy.helpers import rasa_store

ROOT = Path(__file__).resolve().parents[2]
REGISTER = ROOT / "docs" / "donnees-personnelles.md"
NATURES = {"personnelle", "pseudonyme", "non personnelle"}
NO_PERSONAL_DATA = "—"
#: Rules that are not a kind of the daily pass; each is explained in the register.
OTHER_RULES = {"compte", "session", "opposition", "statistiques", "effacement", "référentiel"}
COLUMN = re.compile(r"^`([a-z0-9_]+\.[a-z0-9_]+)`$")
KIND = re.compile(r"^`([a-z_]+)`$")


def markdown_tables(text: str) -> list[list[list[str]]]:
    """Every Markdown table of the text, as rows of stripped cells (separator rows left out)."""
    tables: list[list[list[str]]] = []
    current: list[list[str]] = []
    for line in text.splitlines() + [""]:
        if line.startswith("|"):
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            if not all(re.fullmatch(r":?-{3,}:?", cell) for cell in cells):
                current.append(cells)
        elif current:
            tables.append(current)
            current = []
    return tables


def register_tables(header: str) -> list[list[list[str]]]:
    return [table for table in markdown_tables(REGISTER.read_text(encoding="utf-8")) if table[0][0] == header]


def register_entries() -> list[list[str]]:
    """The rows of the column tables: `table.column`, content, nature, rule."""
    rows = [row for table in register_tables("Colonne") for row in table[1:]]
    assert rows, "no column table (header 'Colonne') in the register"
    for row in rows:
        assert len(row) == 4 and COLUMN.match(row[0]), f"malformed register row: {row}"
    return rows


def registered() -> set[str]:
    return {COLUMN.match(row[0]).group(1) for row in register_entries()}


def model_columns() -> set[str]:
    from rasa.core.tracker_store import SQLTrackerStore

    import_all_models()
    tables = list(Base.metadata.tables.values()) + [SQLTrackerStore.SQLEvent.__table__]
    return {f"{table.name}.{column.name}" for table in tables for column in table.columns}


def database_columns(engine) -> set[str]:
    inspector = inspect(engine)
    return {f"{table}.{column['name']}" for table in inspector.get_table_names()
            for column in inspector.get_columns(table)}


def test_every_column_of_every_model_is_in_the_register() -> None:
    missing = sorted(model_columns() - registered())
    assert not missing, f"add to {REGISTER.name} (with its nature and rule): {missing}"


def test_every_column_of_the_migrated_databases_is_in_the_register(db_engine, db_url) -> None:
    rasa_store(db_url)  # Rasa creates its `events` table here, as on its first start
    missing = sorted(database_columns(db_engine) - registered())
    assert not missing, f"add to {REGISTER.name} (with its nature and rule): {missing}"


def test_the_register_names_no_column_that_no_longer_exists(sqlite_engine, sqlite_url) -> None:
    rasa_store(sqlite_url)
    existing = model_columns() | database_columns(sqlite_engine)
    gone = sorted(registered() - existing)
    assert not gone, f"remove from {REGISTER.name}, or rename: {gone}"


def test_each_column_is_registered_once_with_its_nature_and_rule() -> None:
    rows = register_entries()
    names = [row[0] for row in rows]
    assert sorted({n for n in names if names.count(n) > 1}) == []
    rules = {kind.name for kind in KINDS} | OTHER_RULES
    for name, _content, nature, rule in rows:
        assert nature in NATURES, f"{name}: nature {nature!r} is not one of {sorted(NATURES)}"
        if nature == "non personnelle" and rule == NO_PERSONAL_DATA:
            continue
        assert rule in rules, f"{name}: rule {rule!r} is neither a kind of the daily pass nor {sorted(OTHER_RULES)}"


def test_every_rule_without_a_kind_is_explained() -> None:
    text = REGISTER.read_text(encoding="utf-8")
    for rule in sorted(OTHER_RULES | {NO_PERSONAL_DATA}):
        assert f"- `{rule}` :" in text, f"the register does not explain the rule {rule!r}"


def test_the_retention_table_says_what_the_code_does() -> None:
    tables = register_tables("Type")
    assert len(tables) == 1, "one retention table (header 'Type') expected"
    header, *rows = tables[0]
    assert header[:3] == ["Type", "Paramètre", "Défaut (jours)"]
    documented = {KIND.match(row[0]).group(1): row for row in rows}
    assert set(documented) == {kind.name for kind in KINDS}
    for kind in KINDS:
        _name, variable, default, *_ = documented[kind.name]
        if kind.setting is None:
            assert variable.startswith(NO_PERSONAL_DATA), f"{kind.name} has no setting"
            assert int(default) == kind.fixed_days, kind.name
            continue
        name, alias, days = RETENTION_SETTINGS[kind.setting]
        assert variable.startswith(f"`{name}`"), f"{kind.name}: the register names {variable!r}, the code {name}"
        if alias and kind.name == kind.setting:
            assert f"`{alias}`" in variable, f"{kind.name}: the older name {alias} should be mentioned"
        assert int(default) == days, f"{kind.name}: the register says {default} days, the code {days}"


@pytest.mark.parametrize("kind", [kind for kind in KINDS if kind.setting], ids=lambda kind: kind.name)
def test_each_retention_variable_is_read_in_the_settings(kind) -> None:
    from actions.common.settings import get_settings, reset_settings_cache

    reset_settings_cache()
    try:
        assert kind.days(get_settings()) >= 1
    finally:
        reset_settings_cache()

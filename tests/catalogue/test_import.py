"""Models, seed and importer on SQLite and PostgreSQL: what a conseiller loading data relies on."""
from __future__ import annotations

import csv

import pytest
from sqlalchemy import func, select

from actions.catalogue.importer import ImportRejected, import_files
from actions.catalogue.models import Service, ServicePublic, ServiceThematique, Structure
from actions.catalogue.seed import load_seed, seed_records
from actions.common.db import make_engine, session_scope
from tests.catalogue.records import service, structure, write_json


def _count(engine, model) -> int:
    with session_scope(engine) as session:
        return session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def engine(db_url):
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


def test_seed_loads_every_record_and_is_idempotent(engine):
    expected = {r["id"] for _f, _l, r in seed_records() if "structure_id" in r}
    load_seed(engine)
    load_seed(engine)
    with session_scope(engine) as session:
        ids = set(session.scalars(select(Service.id)))
    assert ids == expected
    assert _count(engine, Service) == len(expected)


def test_seed_has_no_invented_contact_facts():
    """Every phone, address and hours in the seed must come with an official source URL."""
    for _file, line, record in seed_records():
        for fact in ("telephone", "adresse", "horaires_accueil"):
            if record.get(fact):
                assert record.get("x_source_url", "").startswith("https://"), (line, fact)


def test_valid_json_export_is_imported_with_normalised_phone(engine, tmp_path):
    path = write_json(tmp_path / "export.json", [structure(), service()])
    report = import_files([path], engine)
    assert report.created == {"structure": 1, "service": 1}
    with session_scope(engine) as session:
        row = session.get(Structure, ("test-export", "centre-social-test"))
        assert row.telephone == "+33479000000"
        svc = session.get(Service, ("test-export", "epicerie-test"))
        assert svc.thematiques == ["equipement-et-alimentation--alimentation"]
        assert svc.structure.nom == "Centre social des Tests"


def test_reimport_updates_without_duplicates(engine, tmp_path):
    path = write_json(tmp_path / "export.json", [structure(), service()])
    import_files([path], engine)
    write_json(tmp_path / "export.json", [structure(), service(nom="Épicerie solidaire renommée")])
    report = import_files([path], engine)
    assert report.updated == {"structure": 1, "service": 1}
    assert report.created == {"structure": 0, "service": 0}
    assert _count(engine, Service) == 1
    assert _count(engine, ServiceThematique) == 1
    assert _count(engine, ServicePublic) == 1
    with session_scope(engine) as session:
        assert session.get(Service, ("test-export", "epicerie-test")).nom == "Épicerie solidaire renommée"


def test_broken_file_imports_nothing_and_lists_every_error(engine, tmp_path):
    records = [
        structure(),
        service(id="ok-service"),
        service(id="bad-theme", thematiques=["cuisine-du-monde"]),
        service(id="bad-hours", horaires_accueil="lundi matin"),
        service(id="no-structure", structure_id="inconnue"),
        service(id="short", description="Trop court"),
    ]
    path = write_json(tmp_path / "broken.json", records)
    with pytest.raises(ImportRejected) as rejected:
        import_files([path], engine)
    found = {(e.record_id, e.field) for e in rejected.value.errors}
    assert ("bad-theme", "thematiques.0") in found
    assert ("bad-hours", "horaires_accueil") in found
    assert ("no-structure", "structure_id") in found
    assert ("short", "description") in found
    text = path.read_text().splitlines()
    for error in rejected.value.errors:
        # the reported line is where that record starts in the file
        assert text[error.line - 1].strip() == "{", error
        assert f'"{error.record_id}"' in "\n".join(text[error.line - 1:error.line + 3])
    assert _count(engine, Service) == 0
    assert _count(engine, Structure) == 0


def test_csv_export_with_list_cells(engine, tmp_path):
    path = tmp_path / "services.csv"
    rows = [structure(), service(thematiques="sante--acces-aux-soins,sante",
                                 publics='["seniors"]')]
    fields = sorted({k for r in rows for k in r} | {"structure_id"})
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, delimiter=";")
        writer.writeheader()
        for r in rows:
            writer.writerow({k: (", ".join(v) if isinstance(v, list) else v) for k, v in r.items()})
    import_files([path], engine)
    with session_scope(engine) as session:
        svc = session.get(Service, ("test-export", "epicerie-test"))
        assert svc.thematiques == ["sante--acces-aux-soins", "sante"]
        assert svc.publics == ["seniors"]


def test_csv_error_reports_the_csv_line(engine, tmp_path):
    path = tmp_path / "structures.csv"
    path.write_text(
        "source,id,nom,description,date_maj\n"
        "x,ok,Structure correcte,Une structure correcte avec une description assez longue.,2026-01-01\n"
        "x,bad,Structure cassée,Une structure cassée avec une date de mise à jour fausse.,hier\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportRejected) as rejected:
        import_files([path], engine)
    assert [(e.line, e.record_id, e.field) for e in rejected.value.errors] == [(3, "bad", "date_maj")]
    assert _count(engine, Structure) == 0


def test_cli_seed_and_import(tmp_path, capsys):
    from actions.catalogue.__main__ import main

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert main(["--url", url, "seed"]) == 0
    bad = write_json(tmp_path / "bad.json", [structure(date_maj="pas une date")])
    assert main(["--url", url, "import", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "bad.json:2" in err and "date_maj" in err


def test_migrations_create_exactly_the_models(engine):
    """Hand-written migrations and models must not drift (checked on both backends)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from actions.common.db import Base

    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    ours = [d for d in diff if "catalogue_" in repr(d)]
    assert ours == []

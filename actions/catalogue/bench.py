"""Benchmark: what one resident's search turn costs with 2 000 services in the database.

A measurement, not a test: ``python -m actions.catalogue.bench [--url URL] [--services 2000]``
prints the figures and writes them to ``reports/bench-catalogue.json`` (latest run per backend).
Goal: p95 < 20 ms on SQLite (default, a temporary file) and on PostgreSQL (``--url``; the bench
works in a throwaway database created on that server and dropped afterwards).

Each timed turn is the action's whole work, ``conversation.answer``: understanding the words,
the SQL version check, ranking, loading the page's records, rendering the cards. So that no turn
is cheaper than a real one, every turn is a phrase the process has never understood (the typo
memo is emptied) at a minute it has never evaluated opening hours for. What a running action
server legitimately keeps (reference data, parsed opening hours, the catalogue index, the
connection pool) is warmed first. Rebuilding the index after a catalogue change is paid by the
first search that follows it; it is measured separately (``rebuild_*``).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.engine import Engine, make_url

from actions.catalogue import needs
from actions.catalogue.conversation import answer
from actions.catalogue.importer import import_records
from actions.catalogue.referentiels import get_referentiels
from actions.catalogue.seed import load_seed
from actions.common.db import make_engine, throwaway_database
from actions.common.migrate import upgrade
from actions.common.settings import ROOT

HOURS = ["Mo-Fr 09:00-12:00,14:00-17:00; PH off", "Tu,Th 14:00-18:00", "Sa 09:00-12:00", None]
GOAL_MS = 20.0
REPORT = ROOT / "reports" / "bench-catalogue.json"
START = datetime(2026, 11, 24, 10, 0)


def synthetic_rows(count: int, seed: int = 7) -> list[tuple[str, int, dict[str, Any]]]:
    """``count`` plausible services over 100 structures (random thematiques, hours, quartiers)."""
    rng = random.Random(seed)
    refs = get_referentiels()
    thematiques = sorted(refs.thematiques)
    publics = sorted(refs.publics)
    quartiers = [q.id for q in refs.quartiers]
    rows: list[tuple[str, int, dict[str, Any]]] = []
    for s in range(100):
        rows.append(("bench", s, {
            "source": "bench", "id": f"structure-{s}", "nom": f"Structure de test {s}",
            "description": "Structure générée pour mesurer la recherche avec beaucoup de données.",
            "date_maj": "2026-11-01", "horaires_accueil": rng.choice(HOURS),
            "x_quartiers": rng.sample(quartiers, k=rng.choice([0, 1])),
        }))
    for i in range(count):
        rows.append(("bench", 100 + i, {
            "source": "bench", "id": f"service-{i}", "structure_id": f"structure-{i % 100}",
            "nom": f"Service de test numéro {i}",
            "description": "Service généré pour mesurer la recherche : aide, accueil et orientation.",
            "date_maj": "2026-11-01",
            "thematiques": rng.sample(thematiques, k=rng.randint(1, 3)),
            "publics": rng.sample(publics, k=rng.randint(1, 2)) if rng.random() < 0.6 else None,
            "frais": rng.choice(["gratuit", "payant", None]),
        }))
    return rows


def percentile(sorted_ms: list[float], share: float) -> float:
    return sorted_ms[int(share * (len(sorted_ms) - 1))]


def _timed(phrase: str, engine: Engine, at: datetime) -> float:
    needs._snap.cache_clear()  # a phrase never seen: typo fixes are looked up again
    start = time.perf_counter()
    answer(phrase, {}, engine=engine, at=at)
    return (time.perf_counter() - start) * 1000


def run(url: str, services: int, repeats: int) -> dict[str, Any]:
    """Load seed + ``services`` synthetic services into ``url``, then time search turns."""
    upgrade(url)
    engine = make_engine(url)
    load_seed(engine)
    rows = synthetic_rows(services)
    import_records(rows, engine=engine)
    phrases = [c["phrase"] for c in yaml.safe_load(
        (ROOT / "tests" / "catalogue" / "relevance.yml").read_text(encoding="utf-8"))["cas"]]
    for phrase in phrases:  # what a running server holds: index, pool, parsed hours
        answer(phrase, {}, engine=engine, at=START)
    load_before = os.getloadavg()[0]
    timings: list[float] = []
    for turn in range(repeats * len(phrases)):
        at = START + timedelta(minutes=turn + 1)  # a minute never evaluated before
        timings.append(_timed(phrases[turn % len(phrases)], engine, at))
    rebuilds: list[float] = []
    for k in range(5):  # a conseiller fixes one record: the next search rebuilds the index
        rows[-1][2]["description"] = f"Service généré pour mesurer la recherche (modification {k})."
        import_records(rows[-1:], engine=engine)
        rebuilds.append(_timed(phrases[k], engine, START))
    engine.dispose()
    timings.sort()
    rebuilds.sort()
    p95 = percentile(timings, 0.95)
    return {
        "backend": make_url(url).get_backend_name(),
        "services": services,
        "queries": len(timings),
        "p50_ms": round(statistics.median(timings), 2),
        "p95_ms": round(p95, 2),
        "p99_ms": round(percentile(timings, 0.99), 2),
        "max_ms": round(timings[-1], 2),
        "goal_p95_ms": GOAL_MS,
        "goal_met": p95 < GOAL_MS,
        "rebuild_median_ms": round(statistics.median(rebuilds), 1),
        "rebuild_max_ms": round(rebuilds[-1], 1),
        "load_average_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "cpu_count": os.cpu_count(),
    }


def measure(url: str | None, services: int, repeats: int) -> dict[str, Any]:
    if url and make_url(url).get_backend_name() == "postgresql":
        with throwaway_database(url, "sesame_bench") as fresh:
            return run(fresh, services, repeats)
    with tempfile.TemporaryDirectory() as tmp:
        return run(url or f"sqlite:///{Path(tmp) / 'bench.db'}", services, repeats)


def write_report(result: dict[str, Any], out: Path = REPORT) -> None:
    """Keep the latest run of each backend in one JSON file."""
    out.parent.mkdir(parents=True, exist_ok=True)
    previous = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {}
    runs = previous.get("runs", {}) if isinstance(previous, dict) else {}
    runs[result["backend"]] = result
    out.write_text(json.dumps({"runs": runs}, indent=2) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="database URL (default: a temporary SQLite file)")
    parser.add_argument("--services", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    result = measure(args.url, args.services, args.repeats)
    result["measured_at"] = datetime.now().isoformat(timespec="seconds")
    write_report(result)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

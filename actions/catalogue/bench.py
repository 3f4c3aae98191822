"""Benchmark: latency of the search action's work with 2 000 services in the database.

A measurement, not a test: ``python -m actions.catalogue.bench [--url URL] [--services 2000]``
prints p50/p95 and writes ``reports/bench-catalogue.json``. Goal: p95 < 20 ms.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from actions.catalogue.conversation import answer
from actions.catalogue.importer import import_records
from actions.catalogue.referentiels import get_referentiels
from actions.catalogue.seed import load_seed
from actions.common.db import make_engine
from actions.common.migrate import upgrade
from actions.common.settings import ROOT

HOURS = ["Mo-Fr 09:00-12:00,14:00-17:00; PH off", "Tu,Th 14:00-18:00", "Sa 09:00-12:00", None]
GOAL_MS = 20.0


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


def run(url: str, services: int, repeats: int) -> dict[str, Any]:
    upgrade(url)
    engine = make_engine(url)
    load_seed(engine)
    import_records(synthetic_rows(services), engine=engine)
    phrases = [c["phrase"] for c in yaml.safe_load(
        (ROOT / "tests" / "catalogue" / "relevance.yml").read_text(encoding="utf-8"))["cas"]]
    at = datetime(2026, 11, 24, 10, 0)
    for phrase in phrases[:5]:  # warm-up: caches, connection pool
        answer(phrase, {}, engine=engine, at=at)
    timings: list[float] = []
    for _ in range(repeats):
        for phrase in phrases:
            start = time.perf_counter()
            answer(phrase, {}, engine=engine, at=at)
            timings.append((time.perf_counter() - start) * 1000)
    engine.dispose()
    timings.sort()
    p95 = timings[int(0.95 * (len(timings) - 1))]
    return {
        "backend": url.split(":", 1)[0],
        "services": services,
        "queries": len(timings),
        "p50_ms": round(statistics.median(timings), 2),
        "p95_ms": round(p95, 2),
        "max_ms": round(timings[-1], 2),
        "goal_p95_ms": GOAL_MS,
        "goal_met": p95 < GOAL_MS,
        "load_average_1min": round(os.getloadavg()[0], 2),
        "cpu_count": os.cpu_count(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", help="database URL (default: a temporary SQLite file)")
    parser.add_argument("--services", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        result = run(url, args.services, args.repeats)
    result["measured_at"] = datetime.now().isoformat(timespec="seconds")
    out = ROOT / "reports" / "bench-catalogue.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    previous = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {}
    runs = previous.get("runs", {}) if isinstance(previous, dict) else {}
    runs[result["backend"]] = result  # one latest run per backend
    out.write_text(json.dumps({"runs": runs}, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

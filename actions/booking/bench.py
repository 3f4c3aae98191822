"""Benchmark of slot search: 20 conseillers × 3 months of bookings (goal: p95 < 30 ms).

``python -m actions.booking.bench [--url URL | --postgres] [--runs 300]`` builds the book
(:mod:`actions.booking.bench_book`: a year of history, cancellations, absences, closures, a
fully booked place) in a fresh database (a temporary SQLite file by default; ``--postgres``
creates and drops a temporary database on the test server), then times what a resident waits
for: ``BookingService.search`` (SQL reads + engine) for one place, for "the soonest anywhere",
from a later day, at the fully booked place, and the pure engine alone on preloaded data.
Prints a summary and writes reports/bench-booking.json. A measurement, not a test.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import tempfile
import time as timer
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Iterator


from actions.booking.bench_book import CONSEILLERS, FULL_PLACE, HISTORY_WEEKS, NOW, PLACES, WEEKS, build
from actions.booking.queries import load_schedule, motif_by_slug, motif_rule
from actions.booking.service import BookingService
from actions.booking.availability import Preference, find_slots
from actions.common.db import make_engine, session_scope, throwaway_database
from actions.common.migrate import upgrade
from actions.common.settings import ROOT

POSTGRES_ADMIN_URL = os.environ.get("SESAME_TEST_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def summary(values: list[float]) -> dict[str, float]:
    return {"p50_ms": round(percentile(values, 0.5), 2), "p95_ms": round(percentile(values, 0.95), 2),
            "p99_ms": round(percentile(values, 0.99), 2), "mean_ms": round(statistics.mean(values), 2),
            "runs": len(values)}


def run(url: str, runs: int, seed: int = 7) -> dict[str, Any]:
    """Build the book at ``url`` and time each case ``runs`` times, interleaved (same load for all)."""
    rng = random.Random(seed)
    upgrade(url)
    engine = make_engine(url)
    figures = build(engine, rng)
    service = BookingService(engine, clock=lambda: NOW)
    with session_scope(engine) as s:
        motif = motif_by_slug(s, "email")
        openings, busy = load_schedule(s, motif, list(range(1, PLACES + 1)), NOW)
        rule = motif_rule(motif)
    cases: dict[str, Callable[[], list]] = {
        "service_one_place": lambda: service.search("email", f"lieu-{rng.randrange(PLACES)}"),
        "service_anywhere": lambda: service.search("email", None),
        "service_with_day": lambda: service.search(
            "email", None, Preference(not_before_day=date(2027, 1, 4) + timedelta(days=rng.randrange(80)))),
        "service_full_place": lambda: service.search("email", FULL_PLACE),
        "engine_only_anywhere": lambda: find_slots(openings, busy, rule, NOW, limit=3, max_per_day=2),
    }
    times: dict[str, list[float]] = {name: [] for name in cases}
    fewest: dict[str, int] = {name: 3 for name in cases}
    for _ in range(runs):
        for name, call in cases.items():
            started = timer.perf_counter()
            found = call()
            times[name].append((timer.perf_counter() - started) * 1000)
            fewest[name] = min(fewest[name], len(found))
    engine.dispose()
    return {
        "what": "slot search, 20 conseillers x 3 months of bookings, 1 year of history",
        "backend": url.split(":", 1)[0].split("+", 1)[0],
        "conseillers": CONSEILLERS, "places": PLACES, "weeks_ahead": WEEKS, "weeks_history": HISTORY_WEEKS,
        "appointments_booked_ahead": figures.booked_ahead, "appointment_rows": figures.rows_total,
        "absences": figures.absences, "goal_p95_ms": 30,
        "results": {name: {**summary(values), "fewest_offers": fewest[name]} for name, values in times.items()},
        "machine": {"python": platform.python_version(), "platform": platform.platform(),
                    "cpus": os.cpu_count(), "load_average_1min_at_end": round(os.getloadavg()[0], 2)},
        "measured_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }


def temporary_postgres():
    """A fresh database on the test PostgreSQL server, dropped afterwards (as the tests do)."""
    return throwaway_database(POSTGRES_ADMIN_URL, "sesame_bench")


@contextmanager
def temporary_sqlite() -> Iterator[str]:
    with tempfile.TemporaryDirectory() as folder:
        yield f"sqlite:///{Path(folder) / 'bench.db'}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--url", help="empty database to fill (default: a temporary SQLite file)")
    where.add_argument("--postgres", action="store_true", help="a temporary database on the test PostgreSQL")
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--out", default=str(ROOT / "reports" / "bench-booking.json"))
    args = parser.parse_args()
    if args.url:
        report = run(args.url, args.runs)
    else:
        with (temporary_postgres() if args.postgres else temporary_sqlite()) as url:
            report = run(url, args.runs)
    print(f"{report['appointments_booked_ahead']} appointments ahead ({report['appointment_rows']} rows with history), "
          f"{report['conseillers']} conseillers, backend {report['backend']}, "
          f"load average {report['machine']['load_average_1min_at_end']} on {report['machine']['cpus']} CPUs")
    for name, stats in report["results"].items():
        print(f"  {name:<22} p50 {stats['p50_ms']:>7} ms   p95 {stats['p95_ms']:>7} ms   "
              f"p99 {stats['p99_ms']:>7} ms   offers >= {stats['fewest_offers']}")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    existing = json.loads(out.read_text()) if out.exists() else {}
    existing = existing if isinstance(existing, dict) and "runs" in existing else {"runs": {}}
    existing["runs"][report["backend"]] = report
    out.write_text(json.dumps(existing, indent=2, ensure_ascii=False) + "\n")
    print(f"written to {out}")


if __name__ == "__main__":
    main()

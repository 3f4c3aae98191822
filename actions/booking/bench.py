"""Benchmark of slot search: 20 conseillers × 3 months of bookings (goal: p95 < 30 ms).

``python -m actions.booking.bench [--url URL] [--runs 300]`` builds the book in a fresh
database (a temporary SQLite file by default), fills about 85 % of the openings over the
next 3 months, then times what a resident waits for: ``BookingService.search`` (SQL load +
engine) for one place and for "the soonest anywhere", and the pure engine alone.
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
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

from actions.booking.models import (
    STATUS_BOOKED,
    Appointment,
    AppointmentUnit,
    Conseiller,
    Motif,
    OpeningSlot,
    Place,
)
from actions.booking.queries import load_schedule, motif_by_slug, motif_rule
from actions.booking.reference import new_reference
from actions.booking.service import BookingService, unit_starts
from actions.booking.slots import Preference, find_slots, local_to_utc
from actions.common.db import make_engine, session_scope
from actions.common.migrate import upgrade
from actions.common.settings import ROOT

CONSEILLERS = 20
PLACES = 5
WEEKS = 13
FILL = 0.85
NOW = datetime(2027, 1, 4, 7, 0, tzinfo=timezone.utc)  # a Monday morning


def build(engine, rng: random.Random) -> int:
    """Places, conseillers with 3 half-days a week each, motifs, and ~85 % of 3 months booked."""
    with session_scope(engine) as s:
        places = [Place(slug=f"lieu-{i}", name=f"Lieu {i}", address="", phone="", source_url="", demo=True)
                  for i in range(PLACES)]
        motifs = [Motif(slug="email", name="E-mail", duration_minutes=60, min_delay_minutes=120, max_delay_days=92,
                        what_to_bring="", keywords="mail"),
                  Motif(slug="smartphone", name="Smartphone", duration_minutes=45, min_delay_minutes=120,
                        max_delay_days=92, what_to_bring="", keywords="smartphone")]
        s.add_all(places + motifs)
        s.flush()
        openings = []
        for c in range(CONSEILLERS):
            conseiller = Conseiller(slug=f"c-{c}", display_name=f"Conseiller {c}", active=True, demo=True)
            s.add(conseiller)
            s.flush()
            for half_day in rng.sample(range(10), 3):
                weekday, morning = divmod(half_day, 2)
                start, end = (time(9), time(12)) if morning else (time(14), time(17))
                slot = OpeningSlot(conseiller_id=conseiller.id, place_id=places[c % PLACES].id, weekday=weekday,
                                   start_time=start, end_time=end, demo=True)
                s.add(slot)
                openings.append(slot)
        s.flush()
        count = 0
        first = NOW.date()
        for opening in openings:
            for week in range(WEEKS):
                day = first + timedelta(days=(opening.weekday - first.weekday()) % 7 + 7 * week)
                moment = local_to_utc(day, opening.start_time)
                stop = local_to_utc(day, opening.end_time)
                while moment + timedelta(minutes=60) <= stop:
                    end = moment + timedelta(minutes=rng.choice([45, 60]))
                    if rng.random() < FILL:
                        appt = Appointment(
                            reference=new_reference(), motif_id=motifs[0].id, place_id=opening.place_id,
                            conseiller_id=opening.conseiller_id, starts_at=moment.replace(tzinfo=None),
                            ends_at=end.replace(tzinfo=None), status=STATUS_BOOKED, channel="bench",
                            created_at=NOW.replace(tzinfo=None), updated_at=NOW.replace(tzinfo=None))
                        s.add(appt)
                        s.flush()
                        s.add_all(AppointmentUnit(appointment_id=appt.id, conseiller_id=opening.conseiller_id,
                                                  unit_start=u) for u in unit_starts(moment, end))
                        count += 1
                    moment = end
        return count


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def summary(values: list[float]) -> dict[str, float]:
    return {"p50_ms": round(percentile(values, 0.5), 2), "p95_ms": round(percentile(values, 0.95), 2),
            "p99_ms": round(percentile(values, 0.99), 2), "mean_ms": round(statistics.mean(values), 2),
            "runs": len(values)}


def run(url: str, runs: int, seed: int = 7) -> dict[str, object]:
    rng = random.Random(seed)
    upgrade(url)
    engine = make_engine(url)
    booked = build(engine, rng)
    service = BookingService(engine, clock=lambda: NOW)
    cases: dict[str, list[float]] = {"service_one_place": [], "service_anywhere": [], "service_with_day": [],
                                     "engine_only_anywhere": []}
    with session_scope(engine) as s:
        motif = motif_by_slug(s, "email")
        openings, busy = load_schedule(s, motif, [p for p in range(1, PLACES + 1)], NOW)
        rule = motif_rule(motif)
    for _ in range(runs):
        place = f"lieu-{rng.randrange(PLACES)}"
        day = date(2027, 1, 4) + timedelta(days=rng.randrange(80))
        for name, call in (
            ("service_one_place", lambda: service.search("email", place)),
            ("service_anywhere", lambda: service.search("email", None)),
            ("service_with_day", lambda: service.search("email", None, Preference(not_before_day=day))),
            ("engine_only_anywhere", lambda: find_slots(openings, busy, rule, NOW, limit=3, max_per_day=2)),
        ):
            started = timer.perf_counter()
            call()
            cases[name].append((timer.perf_counter() - started) * 1000)
    engine.dispose()
    return {
        "what": "slot search, 20 conseillers x 3 months of bookings",
        "backend": url.split(":", 1)[0],
        "conseillers": CONSEILLERS, "places": PLACES, "weeks": WEEKS, "appointments": booked,
        "goal_p95_ms": 30,
        "results": {name: summary(values) for name, values in cases.items()},
        "machine": {"python": platform.python_version(), "platform": platform.platform(),
                    "cpus": os.cpu_count(), "load_average_1min_at_end": round(os.getloadavg()[0], 2)},
        "measured_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="empty database to fill (default: a temporary SQLite file)")
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--out", default=str(ROOT / "reports" / "bench-booking.json"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        report = run(args.url or f"sqlite:///{Path(folder) / 'bench.db'}", args.runs)
    print(f"{report['appointments']} appointments, {report['conseillers']} conseillers, backend {report['backend']}, "
          f"load average {report['machine']['load_average_1min_at_end']} on {report['machine']['cpus']} CPUs")
    for name, stats in report["results"].items():  # type: ignore[union-attr]
        print(f"  {name:<22} p50 {stats['p50_ms']:>7} ms   p95 {stats['p95_ms']:>7} ms   p99 {stats['p99_ms']:>7} ms")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    existing = json.loads(out.read_text()) if out.exists() else {}
    existing = existing if isinstance(existing, dict) and "runs" in existing else {"runs": {}}
    existing["runs"][report["backend"]] = report
    out.write_text(json.dumps(existing, indent=2, ensure_ascii=False) + "\n")
    print(f"written to {out}")


if __name__ == "__main__":
    main()

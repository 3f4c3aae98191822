"""`make bench`: measure training, cold start, memory, REST latency and throughput.

A measurement, not a test: it prints the figures and writes reports/bench.json. Two loads
are timed in each round: six mostly-NLU turns (the figures of the first benchmarks), and the
mixed workload of every kind of resident turn at 1, 16 and 64 concurrent conversations
(tools/bench_mixed.py: search, guide, booking and cancel, handoff, urgent, fallback,
privacy, thanks; p50/p95/p99 per kind, errors, throughput, and each action turn's p95 over
the response-only turns' p95 of the same level).
Issue 2's reference, seen for a 3-intent probe on another day: p50 13 ms, 66 turns/s,
1.5 GB RSS, ready in 18 s. The machine's speed drifts by a third within a morning, so the
probe is rebuilt (tools/baseline.py) and measured in each round next to Sésame,
with the same load; `against_probe` in the report says how the two compare.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Callable

from tools import bench_mixed
from tools.baseline import ProbeServer, ensure_probe_model
from tools.model import ROOT, TRAINING_DATA, ensure_model
from tools.stack import Stack, free_port

MESSAGES = [
    "bonjour",
    "tu sers a quoi",
    "jai nul part ou dormir ce soir",
    "merci",
    "je veux parler a quelqu'un",
    "t'es un robot ?",
]


def measure_training() -> float:
    """Seconds for a full training from scratch (into a throw-away folder)."""
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        subprocess.run(
            [str(Path(sys.executable).with_name("rasa")), "train", "--config", "config.yml",
             "--domain", "domain", "--data", *[str(p.relative_to(ROOT)) for p in TRAINING_DATA],
             "--out", out, "--force"],
            cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        return time.perf_counter() - start


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, in MB."""
    total = 0
    pids = [str(pid)]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += children.read_text().split()
    for p in pids:
        status = Path(f"/proc/{p}/status")
        if status.exists():
            for line in status.read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return total / 1024


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


Say = Callable[[str, str], list]


def run_load(say: Say, concurrency: int, conversations_each: int) -> dict:
    """``concurrency`` residents at once; each holds ``conversations_each`` conversations of
    len(MESSAGES) turns, one after another (a resident's conversation is short)."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()

    def conversation() -> None:
        nonlocal errors
        for _ in range(conversations_each):
            sender = f"bench-{uuid.uuid4().hex[:8]}"
            for message in MESSAGES:
                start = time.perf_counter()
                try:
                    say(sender, message)
                except Exception:  # a failed turn is counted, not hidden
                    with lock:
                        errors += 1
                    continue
                with lock:
                    latencies.append((time.perf_counter() - start) * 1000)

    threads = [threading.Thread(target=conversation) for _ in range(concurrency)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    return {
        "concurrency": concurrency,
        "turns": len(latencies),
        "errors": errors,
        "p50_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(percentile(latencies, 0.95), 1),
        "throughput_turns_per_s": round(len(latencies) / elapsed, 1),
    }


def measure_served(say: Say, pid: int, conversations: int) -> dict:
    """Latency, throughput and memory of a server that has answered its first message."""
    run_load(say, 1, 2)  # warm-up
    return {
        "rest_1_conversation": run_load(say, 1, conversations),
        "rest_16_conversations": run_load(say, 16, max(1, conversations // 8)),
        "rasa_rss_mb": round(rss_mb(pid)),
    }


def measure_mixed(url: str, levels: list[int], conversations: int, probe: bool = False) -> dict:
    """The mixed workload, by concurrency; the probe, which knows three intents, only talks."""
    if probe:
        report = bench_mixed.run_workload(url, levels, conversations, scenarios=bench_mixed.PROBE_SCENARIOS,
                                          hello=None)
    else:
        report = bench_mixed.run_workload(url, levels, conversations)
    return {str(level["concurrency"]): level for level in report["levels"]}


def measure_sesame(model: Path, conversations: int, levels: list[int], mixed_conversations: int) -> dict:
    """Sésame's whole stack (database, action server, Rasa server) from cold."""
    with tempfile.TemporaryDirectory() as var_dir:
        stack = Stack(model=model, var_dir=Path(var_dir), rasa_port=free_port(), actions_port=free_port(),
                      web_port=free_port(), with_web=False, with_worker=False)
        start = time.perf_counter()
        stack.start()
        try:
            stack.say("bench-cold", "bonjour", timeout=120)
            report = {"cold_start_to_first_answer_s": round(time.perf_counter() - start, 1),
                      "cold_start_phases_s": stack.timings}
            report.update(measure_served(stack.say, stack.processes["rasa"].pid, conversations))
            if levels:
                report["mixed"] = measure_mixed(f"{stack.rasa_url}/webhooks/rest/webhook", levels,
                                                mixed_conversations)
            report["action_server_rss_mb"] = round(rss_mb(stack.processes["actions"].pid))
            return report
        finally:
            stack.stop()


def measure_probe(conversations: int, levels: list[int], mixed_conversations: int) -> dict:
    """The rebuilt 3-intent probe of the issue's baseline, served by the stock `rasa run`."""
    model = ensure_probe_model()
    with tempfile.TemporaryDirectory() as var_dir:
        probe = ProbeServer(model, free_port(), Path(var_dir) / "probe.log")
        start = time.perf_counter()
        probe.start()
        try:
            probe.say("bench-cold", "bonjour", timeout=120)
            report = {"cold_start_to_first_answer_s": round(time.perf_counter() - start, 1)}
            report.update(measure_served(probe.say, probe.pid, conversations))
            if levels:
                report["mixed"] = measure_mixed(f"http://127.0.0.1:{probe.port}/webhooks/rest/webhook", levels,
                                                mixed_conversations, probe=True)
            return report
        finally:
            probe.stop()


FIGURES = {  # figure: (where it is in a report, True if more is better)
    "p50_ms_1": (("rest_1_conversation", "p50_ms"), False),
    "p95_ms_1": (("rest_1_conversation", "p95_ms"), False),
    "turns_per_s_1": (("rest_1_conversation", "throughput_turns_per_s"), True),
    "p50_ms_16": (("rest_16_conversations", "p50_ms"), False),
    "turns_per_s_16": (("rest_16_conversations", "throughput_turns_per_s"), True),
    "cold_start_s": (("cold_start_to_first_answer_s",), False),
    "rasa_rss_mb": (("rasa_rss_mb",), False),
}


def figure(report: dict, path: tuple) -> float:
    for key in path:
        report = report[key]
    return report  # type: ignore[return-value]


def compare(rounds: list[dict]) -> dict:
    """Each figure for Sésame and the probe (medians over rounds), and in how many rounds
    Sésame did at least as well as the probe measured next to it."""
    summary = {}
    for name, (path, more_is_better) in FIGURES.items():
        ours = [figure(r["sesame"], path) for r in rounds]
        theirs = [figure(r["probe"], path) for r in rounds]
        wins = sum((a >= b) if more_is_better else (a <= b) for a, b in zip(ours, theirs))
        summary[name] = {"sesame": round(statistics.median(ours), 1), "probe": round(statistics.median(theirs), 1),
                         "sesame_as_good_in_rounds": f"{wins}/{len(rounds)}"}
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--skip-training", action="store_true", help="do not time a full training")
    parser.add_argument("--conversations", type=int, default=20,
                        help="conversations of 6 turns at concurrency 1 (and 16 × conversations/8 at 16)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="rounds of Sésame and the baseline probe, measured one after the other")
    parser.add_argument("--no-probe", action="store_true", help="measure Sésame only")
    parser.add_argument("--levels", type=int, nargs="*", default=bench_mixed.LEVELS,
                        help="concurrencies of the mixed workload (none: skip it)")
    parser.add_argument("--mixed-conversations", type=int, default=34,
                        help="conversations of the mixed workload at each level (at least twice the concurrency)")
    args = parser.parse_args()

    report: dict = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                                "load_average": os.getloadavg()}}
    model = ensure_model()
    if not args.no_probe:
        ensure_probe_model()
    if not args.skip_training:
        print("Timing a full training (a few minutes)…", flush=True)
        report["training_s"] = round(measure_training(), 1)

    rounds = []
    for index in range(1 if args.no_probe else args.rounds):
        # The order alternates, so that neither side always runs on a warmer machine.
        order = ["sesame", "probe"] if index % 2 == 0 else ["probe", "sesame"]
        result: dict = {}
        for side in order if not args.no_probe else ["sesame"]:
            print(f"Round {index + 1}: {side}…", flush=True)
            result[side] = (measure_sesame(model, args.conversations, args.levels, args.mixed_conversations)
                            if side == "sesame"
                            else measure_probe(args.conversations, args.levels, args.mixed_conversations))
        rounds.append(result)
    report.update(rounds[-1]["sesame"])
    if not args.no_probe:
        report["rounds"] = rounds
        report["against_probe"] = compare(rounds)

    out = ROOT / "reports" / "bench.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print(json.dumps(report, indent=2, ensure_ascii=False))
    print(f"Written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()

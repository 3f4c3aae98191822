"""`make bench`: measure training, cold start, memory, REST latency and throughput.

A measurement, not a test: it prints the figures and writes reports/bench.json.
The reference seen on this machine for a 3-intent probe: p50 13 ms, 66 turns/s,
1.5 GB RSS, ready in 18 s.
"""
from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

from bot.runtime.model import ROOT, TRAINING_DATA, ensure_model
from bot.runtime.stack import Stack, free_port

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
             "--domain", "domain.yml", "--data", *[str(p.relative_to(ROOT)) for p in TRAINING_DATA],
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


def run_load(stack: Stack, concurrency: int, conversations_each: int) -> dict:
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
                    stack.say(sender, message)
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--skip-training", action="store_true", help="do not time a full training")
    parser.add_argument("--conversations", type=int, default=20,
                        help="conversations of 6 turns at concurrency 1 (and 16 × conversations/8 at 16)")
    args = parser.parse_args()

    report: dict = {"machine": {"cpus": __import__("os").cpu_count(), "python": platform.python_version()}}
    model = ensure_model()
    if not args.skip_training:
        print("Timing a full training (a few minutes)…", flush=True)
        report["training_s"] = round(measure_training(), 1)

    with tempfile.TemporaryDirectory() as var_dir:
        stack = Stack(model=model, var_dir=Path(var_dir), rasa_port=free_port(), actions_port=free_port(),
                      web_port=free_port(), with_web=False, with_worker=False)
        start = time.perf_counter()
        stack.start()
        stack.say("bench-cold", "bonjour", timeout=120)
        report["cold_start_to_first_answer_s"] = round(time.perf_counter() - start, 1)
        report["cold_start_phases_s"] = stack.timings
        try:
            run_load(stack, 1, 2)  # warm-up
            report["rest_1_conversation"] = run_load(stack, 1, args.conversations)
            report["rest_16_conversations"] = run_load(stack, 16, max(1, args.conversations // 8))
            report["rasa_rss_mb"] = round(rss_mb(stack.processes["rasa"].pid))
            report["action_server_rss_mb"] = round(rss_mb(stack.processes["actions"].pid))
        finally:
            stack.stop()

    out = ROOT / "reports" / "bench.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print(json.dumps(report, indent=2, ensure_ascii=False))
    print(f"Written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()

"""`make bench-prod`: the mixed workload through HAProxy on one and on two replicas.

A measurement, not a test. For each topology (1 Rasa + 1 action server, then 2 + 2; one
worker, the web server), `make run-prod`'s topology (tools/run_prod.py) is started on
this machine's PostgreSQL (throw-away databases), Redis and RabbitMQ (a queue of its own),
and `make bench-mixed`'s workload (tools/bench_mixed.py, every kind of resident turn) is
sent to HAProxy's REST endpoint at each concurrency. Writes reports/bench-prod.json.

    python -m tools.bench_prod [--concurrency 16 64] [--conversations N] [--replicas 1 2]

The broker's and Redis's logins come from the environment, with no default (a benchmark must not
teach a default password): RABBITMQ_USER, RABBITMQ_PASSWORD and REDIS_PASSWORD (empty for a Redis
without requirepass), as for `make run-prod`. On this machine:
RABBITMQ_USER=guest RABBITMQ_PASSWORD=guest REDIS_PASSWORD= make bench-prod
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import sys
import tempfile
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

from tools import bench_mixed

ROOT = Path(__file__).resolve().parents[1]
REPORT = ROOT / "reports" / "bench-prod.json"
POSTGRES_SERVER = os.environ.get("SESAME_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


#: Read from the environment, never defaulted (REDIS_PASSWORD may be empty: a Redis without requirepass).
CREDENTIALS = ("RABBITMQ_USER", "RABBITMQ_PASSWORD", "REDIS_PASSWORD")


class MissingCredentials(RuntimeError):
    """A login the benchmark needs is not in the environment."""


def credentials(env: dict[str, str]) -> dict[str, str]:
    """The logins of RabbitMQ and Redis from ``env``; MissingCredentials names what is not set."""
    missing = [name for name in CREDENTIALS if name not in env or (name != "REDIS_PASSWORD" and not env[name])]
    if missing:
        raise MissingCredentials(f"{', '.join(missing)} not set: make bench-prod takes the RabbitMQ and Redis logins "
                                 "from the environment, with no default (README, \"Production on one machine\")")
    return {name: env[name] for name in CREDENTIALS}


def topology_env(app_db: str, tracker_db: str, replicas: int, queue: str,
                 logins: dict[str, str]) -> dict[str, str]:
    from sqlalchemy.engine import make_url

    from tools.stack import free_port

    tracker = make_url(tracker_db)
    ports = lambda n: ",".join(str(free_port()) for _ in range(n))  # noqa: E731
    return {
        "DATABASE_URL": app_db,
        "POSTGRES_HOST": tracker.host or "127.0.0.1", "POSTGRES_PORT": str(tracker.port or 5432),
        "POSTGRES_DB": tracker.database or "", "POSTGRES_USER": tracker.username or "postgres",
        "POSTGRES_PASSWORD": tracker.password or "",
        "REDIS_HOST": os.environ.get("REDIS_HOST", "127.0.0.1"), "REDIS_PORT": os.environ.get("REDIS_PORT", "6379"),
        "REDIS_DB": os.environ.get("SESAME_BENCH_REDIS_DB", "4"),
        "RABBITMQ_HOST": os.environ.get("RABBITMQ_HOST", "127.0.0.1"),
        "RABBITMQ_PORT": os.environ.get("RABBITMQ_PORT", "5672"),
        **logins,
        "RABBITMQ_QUEUE": queue,
        "SESAME_ACTION_SECRET": secrets.token_hex(32), "SESAME_HASH_SALT": secrets.token_hex(32),
        "SESAME_RASA_PORT": ports(1), "SESAME_ACTIONS_PORT": ports(1), "SESAME_LB_STATS_PORT": ports(1),
        "SESAME_WEB_PORT": ports(1), "SESAME_RASA_REPLICA_PORTS": ports(replicas),
        "SESAME_ACTIONS_REPLICA_PORTS": ports(replicas), "SESAME_WORKER_HEALTH_PORTS": ports(1),
    }


def measure(model: Path, replicas: int, concurrencies: list[int], conversations: int, timeout: float) -> dict:
    from actions.common.db import throwaway_database
    from tools.run_prod import build_topology, wait_balanced

    logins = credentials(dict(os.environ))
    queue = f"sesame_bench_{uuid.uuid4().hex[:8]}"
    saved = dict(os.environ)
    with throwaway_database(POSTGRES_SERVER, "sesame_bench_app") as app_db, \
            throwaway_database(POSTGRES_SERVER, "sesame_bench_tracker") as tracker_db, \
            tempfile.TemporaryDirectory() as var_dir:
        env = topology_env(app_db, tracker_db, replicas, queue, logins)
        for name in ("SESAME_ENV", "SESAME_TRACKER_URL", "SESAME_RASA_PUBLIC_URL", "SESAME_PUBLIC_URL"):
            os.environ.pop(name, None)
        os.environ.update(env)  # Stack.env() starts from os.environ: every process gets the topology's
        os.environ["SESAME_VAR_DIR"] = var_dir
        try:
            stack = build_topology(dict(os.environ), model, Path(var_dir))
            began = time.perf_counter()
            stack.start(timeout=300)
            wait_balanced(stack)
            try:
                url = f"{stack.lb['rasa']}/webhooks/rest/webhook"  # type: ignore[attr-defined]
                result: dict = {"rasa_replicas": replicas, "action_servers": replicas, "workers": 1,
                                "start_s": round(time.perf_counter() - began, 1),
                                "action_timeout_s": float(stack.extra_env["SESAME_ACTION_TIMEOUT"])}
                print(f"{replicas} replica(s) up in {result['start_s']} s", flush=True)
                log_path = Path(var_dir) / "logs" / "haproxy.log"
                log_start = log_path.stat().st_size
                result.update(bench_mixed.run_workload(url, concurrencies, conversations, timeout=timeout))
                # Servers HAProxy marked down while the workload ran (not at start, not at the stop).
                with log_path.open(errors="replace") as log_file:
                    log_file.seek(log_start)
                    haproxy_log = log_file.read()
                result["haproxy_marked_down"] = [line.split(" is DOWN")[0].split("Server ")[-1]
                                                 for line in haproxy_log.splitlines()
                                                 if " is DOWN" in line and not line.startswith("[")]
                # Custom-action calls Rasa gave up on (SESAME_ACTION_TIMEOUT, or failed at once after one
                # did in the same turn): each such turn ends with the apology.
                result["failed_action_calls"] = sum(
                    (Path(var_dir) / "logs" / f"{name}.log").read_text(errors="replace")
                    .count("Encountered an exception while running action")
                    for name in stack.processes if name.startswith("rasa"))
            finally:
                stack.stop()
        finally:
            os.environ.clear()
            os.environ.update(saved)
            _delete_queue(env, queue)
    return result


def _delete_queue(env: dict[str, str], queue: str) -> None:
    try:
        import pika

        connection = pika.BlockingConnection(pika.ConnectionParameters(
            env["RABBITMQ_HOST"], int(env["RABBITMQ_PORT"]),
            credentials=pika.PlainCredentials(env["RABBITMQ_USER"], env["RABBITMQ_PASSWORD"])))
        connection.channel().queue_delete(queue=queue)
        connection.close()
    except Exception as exc:  # noqa: BLE001 - a leftover queue is not worth failing a benchmark
        print(f"could not delete the queue {queue}: {type(exc).__name__}")


def main() -> None:
    from tools.model import model_path

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[16, 64])
    parser.add_argument("--conversations", type=int, default=16,
                        help="conversations per level (at least the concurrency)")
    parser.add_argument("--replicas", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--timeout", type=float, default=60)
    args = parser.parse_args()
    try:
        credentials(dict(os.environ))
    except MissingCredentials as exc:
        print(f"make bench-prod cannot start: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    model = model_path()
    if not model.exists():
        raise SystemExit(f"No trained model for the current inputs ({model.name}): run `make train` first.")
    report: dict = {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "model": model.name,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "load_average": os.getloadavg()},
        "workload": "tools/bench_mixed.py (every kind of turn), REST through HAProxy",
        "topologies": [],
    }
    for replicas in args.replicas:
        report["topologies"].append(measure(model, replicas, args.concurrency, args.conversations, args.timeout))
        REPORT.parent.mkdir(exist_ok=True)
        REPORT.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    for topology in report["topologies"]:
        print(f"--- {topology['rasa_replicas']} Rasa replica(s), {topology['action_servers']} action server(s)")
        bench_mixed.print_table(topology)
    print(f"Written to {REPORT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()

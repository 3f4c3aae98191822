"""`make run-prod`: the production topology on one machine, configured by the environment.

    HAProxy (127.0.0.1)  :5005 Rasa frontend ── rasa  :5006 ┐  PostgreSQL: tracker store + app database
                                              └─ rasa2 :5007 ┤  Redis: lock store (endpoints.production.yml)
                         :5055 actions frontend ─ actions  :5056 ┐  RabbitMQ: event broker
                                              └─ actions2 :5057 ┘
                         :8404 /healthz, /stats
    web :8000 (demo page, web chat, console)   worker + worker2 (one leader: PostgreSQL advisory lock)

Rasa's action endpoint is HAProxy's actions frontend; the web chat's socket.io is sticky on
one replica (deploy/haproxy.cfg). Every process is the same as in `make run`
(tools/stack.py) and is restarted when it dies (tools/supervisor.py).

Required variables (no default for any password or secret; the command says which are
missing and exits with code 2): DATABASE_URL (PostgreSQL), POSTGRES_HOST, POSTGRES_PORT,
POSTGRES_DB, POSTGRES_USER, POSTGRES_PASSWORD (may be empty for a trust login), REDIS_HOST,
REDIS_PORT, REDIS_DB, REDIS_PASSWORD (may be empty for a Redis without requirepass),
RABBITMQ_HOST, RABBITMQ_PORT, RABBITMQ_USER, RABBITMQ_PASSWORD,
RABBITMQ_QUEUE, SESAME_ACTION_SECRET and SESAME_HASH_SALT (32 characters or more each).
Optional: ports (PORT_VARIABLES below), replica counts, SESAME_LB_BIND (127.0.0.1),
SESAME_ACTION_TIMEOUT (1.2 s), SESAME_ENDPOINTS (endpoints.production.yml), SESAME_RASA_TOKEN
(random when unset, written to var/prod/rasa-token), SESAME_VAR_DIR (var/prod).

The databases named by DATABASE_URL and POSTGRES_DB are created when they do not exist
(the login must be allowed to). The state of the running topology (pids, ports, health
URLs) is kept in $SESAME_VAR_DIR/topology.json, rewritten after each restart.
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import string
import sys
import time
from pathlib import Path
from typing import Mapping

from tools.model import ROOT
from tools.stack import Stack
from tools.supervisor import Supervisor

TEMPLATE = ROOT / "deploy" / "haproxy.cfg"
DEFAULT_ACTION_TIMEOUT = "1.2"

REQUIRED = ("DATABASE_URL", "POSTGRES_HOST", "POSTGRES_PORT", "POSTGRES_DB", "POSTGRES_USER", "POSTGRES_PASSWORD",
            "REDIS_HOST", "REDIS_PORT", "REDIS_DB", "REDIS_PASSWORD", "RABBITMQ_HOST", "RABBITMQ_PORT", "RABBITMQ_USER",
            "RABBITMQ_PASSWORD", "RABBITMQ_QUEUE", "SESAME_ACTION_SECRET", "SESAME_HASH_SALT")
SECRETS = ("SESAME_ACTION_SECRET", "SESAME_HASH_SALT")
MIN_SECRET = 32

# variable: default. The replicas' ports are lists ("5006,5007"); their length is the replica count.
PORT_VARIABLES = {
    "SESAME_RASA_PORT": "5005",  # HAProxy's Rasa frontend: webhooks, web chat socket, console API
    "SESAME_ACTIONS_PORT": "5055",  # HAProxy's action-server frontend (Rasa's action endpoint)
    "SESAME_LB_STATS_PORT": "8404",  # HAProxy's /healthz and /stats
    "SESAME_WEB_PORT": "8000",
    "SESAME_RASA_REPLICA_PORTS": "5006,5007",
    "SESAME_ACTIONS_REPLICA_PORTS": "5056,5057",
    "SESAME_WORKER_HEALTH_PORTS": "8101,8102",
}

# What a resident of this machine can paste (README, "Production on one machine").
EXAMPLE = """\
  export DATABASE_URL=postgresql://postgres@127.0.0.1:5432/sesame
  export POSTGRES_HOST=127.0.0.1 POSTGRES_PORT=5432 POSTGRES_DB=sesame_tracker POSTGRES_USER=postgres POSTGRES_PASSWORD=
  export REDIS_HOST=127.0.0.1 REDIS_PORT=6379 REDIS_DB=2 REDIS_PASSWORD=  # empty: this Redis has no requirepass
  export RABBITMQ_HOST=127.0.0.1 RABBITMQ_PORT=5672 RABBITMQ_USER=… RABBITMQ_PASSWORD=… RABBITMQ_QUEUE=sesame_events
  export SESAME_ACTION_SECRET=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
  export SESAME_HASH_SALT=$(python3 -c 'import secrets; print(secrets.token_hex(32))')  # keep it: pseudonyms depend on it"""


class ProductionConfigError(RuntimeError):
    """The environment does not describe a production topology that can start."""


def check_environment(env: Mapping[str, str]) -> list[str]:
    """What is wrong with ``env`` for run-prod (empty when it can start)."""
    problems = [f"{name} is not set" for name in REQUIRED if name not in env]
    for name in SECRETS:
        value = env.get(name, "").strip()
        if name in env and (len(value) < MIN_SECRET or value == "sesame-dev-salt"):
            problems.append(f"{name} must be a random value of at least {MIN_SECRET} characters")
    for name in ("REDIS_PORT", "RABBITMQ_PORT", "POSTGRES_PORT", "REDIS_DB"):
        if env.get(name) and not env[name].isdigit():
            problems.append(f"{name} must be a number, not {env[name]!r}")
    url = env.get("DATABASE_URL", "")
    if url and not url.startswith("postgresql"):
        problems.append("DATABASE_URL must be a PostgreSQL URL (several action servers and workers share it)")
    for name, default in PORT_VARIABLES.items():
        try:
            _ports(env.get(name, default))
        except ValueError:
            problems.append(f"{name} must be a port or a comma-separated list of ports")
    if env.get("SESAME_ACTION_TIMEOUT"):
        from bot.patches.action_timeout import timeout_from

        try:
            timeout_from(env)
        except ValueError as exc:
            problems.append(str(exc))
    return problems


def _ports(raw: str) -> list[int]:
    ports = [int(part) for part in raw.replace(" ", "").split(",") if part]
    if not ports or not all(0 < port < 65536 for port in ports):
        raise ValueError(raw)
    return ports


def ensure_database(url: str) -> bool:
    """Create the PostgreSQL database of ``url`` when it does not exist; True when created."""
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from actions.common.db import make_engine

    target = make_url(url)
    admin = make_engine(target.set(database="postgres").render_as_string(hide_password=False))
    try:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"),
                                  {"n": target.database}).scalar()
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{target.database}"'))
            return not exists
    finally:
        admin.dispose()


def render_haproxy(*, bind: str, rasa_port: int, actions_port: int, stats_port: int, rasa_ports: list[int],
                   actions_ports: list[int], action_timeout: float, template: Path = TEMPLATE,
                   hosts: tuple[list[str], list[str]] | None = None) -> str:
    """deploy/haproxy.cfg with this topology's addresses.

    The servers are 127.0.0.1 on ``rasa_ports`` and ``actions_ports``, or, with ``hosts``
    (Rasa hosts, action-server hosts: deploy/compose.yaml), those hosts on those ports.
    """
    rasa_hosts, actions_hosts = hosts or (["127.0.0.1"] * len(rasa_ports), ["127.0.0.1"] * len(actions_ports))

    def servers(prefix: str, names: list[str], ports: list[int]) -> str:
        return "\n".join(f"    server {prefix}{index + 1} {host}:{port}"
                         for index, (host, port) in enumerate(zip(names, ports)))

    return string.Template(template.read_text()).substitute(
        bind=bind, rasa_port=rasa_port, actions_port=actions_port, stats_port=stats_port,
        rasa_servers=servers("rasa", rasa_hosts, rasa_ports),
        actions_servers=servers("actions", actions_hosts, actions_ports),
        action_timeout_s=f"{action_timeout:g}",
        # HAProxy waits a little longer than Rasa: Rasa's own timeout decides, HAProxy only
        # cuts a call Rasa has given up on.
        actions_server_timeout=f"{int((action_timeout + 1) * 1000)}ms",
    )


def render_compose_haproxy() -> str:
    """deploy/haproxy-compose.cfg: the same template for deploy/compose.yaml's services."""
    header = ("# GENERATED from deploy/haproxy.cfg for deploy/compose.yaml: do not edit; regenerate with\n"
              "#   .venv/bin/python -m tools.run_prod --render-compose-haproxy > deploy/haproxy-compose.cfg\n")
    config = render_haproxy(bind="0.0.0.0", rasa_port=5005, actions_port=5055, stats_port=8404,
                            rasa_ports=[5005, 5005], actions_ports=[5055, 5055],
                            action_timeout=float(DEFAULT_ACTION_TIMEOUT),
                            hosts=(["rasa1", "rasa2"], ["actions1", "actions2"]))
    # Containers get new addresses when they restart: HAProxy asks Docker's DNS again.
    config = config.replace("init-addr last,libc,none", "init-addr last,libc,none resolvers docker")
    resolvers = ("resolvers docker\n    nameserver dns 127.0.0.11:53\n    hold valid 5s\n\n")
    return header + config.replace("\ndefaults\n", "\n" + resolvers + "defaults\n", 1)


def haproxy_binary() -> str:
    found = shutil.which("haproxy") or next((p for p in ("/usr/sbin/haproxy", "/sbin/haproxy") if Path(p).exists()), None)
    if not found:
        raise ProductionConfigError("HAProxy is not installed: run `make haproxy` (Debian's package; needs root or sudo)")
    return found


def build_topology(env: Mapping[str, str], model: Path, var_dir: Path) -> Stack:
    """The Stack of run-prod (not started): HAProxy, 2 Rasa, 2 action servers, web, 2 workers."""
    from actions.common.settings import tracker_store_url
    from bot.patches.action_timeout import timeout_from

    problems = check_environment(env)
    if problems:
        raise ProductionConfigError("; ".join(problems))
    get = lambda name: env.get(name, PORT_VARIABLES[name])  # noqa: E731
    rasa_lb, actions_lb, stats = (_ports(get(n))[0] for n in ("SESAME_RASA_PORT", "SESAME_ACTIONS_PORT",
                                                              "SESAME_LB_STATS_PORT"))
    rasa_ports, actions_ports = _ports(get("SESAME_RASA_REPLICA_PORTS")), _ports(get("SESAME_ACTIONS_REPLICA_PORTS"))
    worker_ports = _ports(get("SESAME_WORKER_HEALTH_PORTS"))
    bind = env.get("SESAME_LB_BIND", "127.0.0.1")
    local = "127.0.0.1" if bind in ("0.0.0.0", "::", "*") else bind
    action_timeout = timeout_from({"SESAME_ACTION_TIMEOUT": env.get("SESAME_ACTION_TIMEOUT", DEFAULT_ACTION_TIMEOUT)})
    assert action_timeout is not None
    var_dir.mkdir(parents=True, exist_ok=True)
    config = var_dir / "haproxy.cfg"
    config.write_text(render_haproxy(bind=bind, rasa_port=rasa_lb, actions_port=actions_lb, stats_port=stats,
                                     rasa_ports=rasa_ports, actions_ports=actions_ports,
                                     action_timeout=action_timeout))
    extra = {
        "SESAME_ACTION_TIMEOUT": f"{action_timeout:g}",
        # The console calls Rasa's API through HAProxy: either replica can pause or resume.
        "SESAME_RASA_URL": f"http://{local}:{rasa_lb}",
        "SESAME_RASA_PUBLIC_URL": env.get("SESAME_RASA_PUBLIC_URL", f"http://localhost:{rasa_lb}"),
        "SESAME_TRACKER_URL": env.get("SESAME_TRACKER_URL") or tracker_store_url(dict(env), var_dir),
        "SESAME_VAR_DIR": str(var_dir),
    }
    stack = Stack(
        model=model, var_dir=var_dir, rasa_port=rasa_ports[0], replica_ports=rasa_ports[1:],
        rasa_replicas=len(rasa_ports), actions_port=actions_ports[0], actions_replica_ports=actions_ports[1:],
        actions_replicas=len(actions_ports), web_port=_ports(get("SESAME_WEB_PORT"))[0],
        worker_replicas=len(worker_ports), worker_health_ports=worker_ports,
        endpoints=env.get("SESAME_ENDPOINTS", "endpoints.production.yml"),
        action_endpoint_url=f"http://{local}:{actions_lb}/webhook",
        token=env.get("SESAME_RASA_TOKEN") or secrets.token_hex(16),
        extra_env=extra,
        sidecars={"haproxy": ([haproxy_binary(), "-db", "-f", str(config)], f"http://{local}:{stats}/healthz")},
    )
    stack.lb = {"rasa": f"http://{local}:{rasa_lb}", "actions": f"http://{local}:{actions_lb}",  # type: ignore[attr-defined]
                "stats": f"http://{local}:{stats}/stats", "health": f"http://{local}:{stats}/healthz"}
    return stack


def servers_down(stats_url: str) -> list[str]:
    """The HAProxy servers that are not UP (from its statistics CSV); all of them when it does not answer."""
    import urllib.request

    try:
        with urllib.request.urlopen(stats_url + ";csv", timeout=3) as response:
            rows = response.read().decode().splitlines()
    except OSError:
        return ["haproxy"]
    header = rows[0].lstrip("# ").split(",")
    down = []
    for line in rows[1:]:
        row = dict(zip(header, line.split(",")))
        if row.get("svname") not in (None, "FRONTEND", "BACKEND") and not row.get("status", "").startswith("UP"):
            down.append(f"{row['pxname']}/{row['svname']}")
    return down


def wait_balanced(stack: Stack, timeout: float = 30) -> None:
    """Wait until HAProxy's checks see every server up (they run every 1-2 s, after the processes answer)."""
    stats = getattr(stack, "lb", {}).get("stats")
    if not stats:
        return
    deadline = time.monotonic() + timeout
    while servers_down(stats):
        if time.monotonic() > deadline:
            raise ProductionConfigError(f"HAProxy still sees servers down after {timeout:.0f} s: "
                                        + ", ".join(servers_down(stats)))
        time.sleep(0.3)


def write_state(stack: Stack, path: Path) -> None:
    """pids, ports and health URLs of the running topology, for operators and the fault tests."""
    state = {
        "pids": {name: proc.pid for name, proc in stack.processes.items()},
        "lb": getattr(stack, "lb", {}),
        "health": stack.health_checks(),
        "web": stack.web_url,
        "rasa_ports": stack.rasa_ports,
        "actions_ports": stack.actions_ports,
        "worker_health_ports": stack.worker_health_ports,
        "token_file": str(stack.var_dir / "rasa-token"),
        "logs": str(stack.var_dir / "logs"),
    }
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(state, indent=2))
    temporary.replace(path)


def banner(stack: Stack) -> str:
    lb = getattr(stack, "lb", {})
    health = stack.health_checks()
    lines = [
        "",
        "Sésame is running in production mode (PostgreSQL, Redis, RabbitMQ, HAProxy).",
        f"  Web chat (demo page):  http://localhost:{stack.web_port}/",
        f"  Conseiller console:    http://localhost:{stack.web_port}/console/ (first: make create-admin)",
        f"  REST through HAProxy:  curl -s {lb.get('rasa')}/webhooks/rest/webhook "
        "-d '{\"sender\": \"moi\", \"message\": \"bonjour\"}'",
        f"  HAProxy statistics:    {lb.get('stats')}",
        "  Health of each process:",
        *(f"    {name:<9} {url.split('?')[0]}" for name, url in health.items()),
        f"  Rasa API token:        in {stack.var_dir / 'rasa-token'}",
        f"  State (pids, ports):   {stack.var_dir / 'topology.json'}",
        f"  Logs:                  {stack.var_dir / 'logs'}/",
        "Press Ctrl-C to stop everything.",
    ]
    return "\n".join(lines)


def main() -> None:
    from tools.model import ensure_model
    from tools.run import _log, refuse_demo_or_exit

    if sys.argv[1:] == ["--render-compose-haproxy"]:
        print(render_compose_haproxy(), end="")
        return
    env = dict(os.environ)
    problems = check_environment(env)
    if problems:
        print("make run-prod cannot start:\n  - " + "\n  - ".join(problems), file=sys.stderr)
        print("On this machine, for example:\n" + EXAMPLE, file=sys.stderr, flush=True)
        sys.exit(2)
    refuse_demo_or_exit()
    var_dir = Path(env.get("SESAME_VAR_DIR", ROOT / "var" / "prod"))
    env["SESAME_VAR_DIR"] = str(var_dir)
    try:
        from actions.common.settings import tracker_store_url

        for url in (env["DATABASE_URL"], tracker_store_url(env, var_dir)):
            if ensure_database(url):
                print(f"Created the database {url.rsplit('/', 1)[-1]}.", flush=True)
        stack = build_topology(env, ensure_model(), var_dir)
    except ProductionConfigError as exc:
        print(f"make run-prod cannot start: {exc}", file=sys.stderr, flush=True)
        sys.exit(2)
    os.environ["SESAME_VAR_DIR"] = str(var_dir)  # Stack.env() starts from os.environ
    state_file = var_dir / "topology.json"
    supervisor: Supervisor | None = None
    phase = "starting"

    def _stop(*_: object) -> None:
        nonlocal phase
        if phase == "starting":
            phase = "stopping"
            raise KeyboardInterrupt
        if supervisor is not None:
            supervisor.stop()

    def respawn(name: str):  # type: ignore[no-untyped-def]
        process = stack.respawn(name)
        write_state(stack, state_file)
        return process

    signal.signal(signal.SIGTERM, _stop)
    if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
        signal.signal(signal.SIGINT, _stop)
    try:
        print("Starting HAProxy, 2 Rasa replicas, 2 action servers, the web server and 2 workers (about 60 s)…",
              flush=True)
        stack.start(timeout=float(env.get("SESAME_START_TIMEOUT", "300")))
        wait_balanced(stack)
        (var_dir / "rasa-token").write_text(stack.token)
        os.chmod(var_dir / "rasa-token", 0o600)
        write_state(stack, state_file)
        supervisor = Supervisor(stack.processes, respawn, log=_log)
        phase = "running"
        print(banner(stack), flush=True)
        supervisor.run()
    except KeyboardInterrupt:
        pass
    finally:
        phase = "stopping"
        if supervisor is not None:
            supervisor.stop()
        print("\nStopping Sésame…", flush=True)
        stack.stop()
        state_file.unlink(missing_ok=True)
        print("Stopped.", flush=True)


if __name__ == "__main__":
    main()

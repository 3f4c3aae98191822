"""Start and stop Sésame's processes: action server, Rasa server, web, worker.

Used by `make run`, the end-to-end tests and the benchmark, so all three run the
same real processes the same way. Each process logs to var/logs/<name>.log.
"""
from __future__ import annotations

import importlib.util
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


class StackStartError(RuntimeError):
    """A process of the stack exited or did not become ready in time."""


def free_port() -> int:
    """An unused TCP port on the loopback interface."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def module_exists(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


def _more_ports(given: list[int], count: int) -> list[int]:
    """``count`` ports: the given ones first, then free ones."""
    return list(given[:count]) + [free_port() for _ in range(count - len(given[:count]))]


@dataclass
class Stack:
    """The running processes and their addresses."""

    model: Path
    var_dir: Path
    rasa_port: int = 5005
    actions_port: int = 5055
    web_port: int = 8000
    bind: str = "127.0.0.1"
    token: str = field(default_factory=lambda: os.environ.get("SESAME_RASA_TOKEN") or secrets.token_hex(16))
    extra_env: dict[str, str] = field(default_factory=dict)
    with_web: bool = True
    with_worker: bool = True
    endpoints: str = "endpoints.yml"
    rasa_replicas: int = 1
    # Production topology (tools/run_prod.py): several action servers and workers, Rasa's
    # action endpoint elsewhere (a load balancer), and sidecars such as HAProxy started first.
    actions_replicas: int = 1
    worker_replicas: int = 1
    replica_ports: list[int] = field(default_factory=list)  # Rasa replicas after the first (free if empty)
    actions_replica_ports: list[int] = field(default_factory=list)  # action servers after the first
    worker_health_ports: list[int] = field(default_factory=list)  # GET /healthz of each worker, if any
    action_endpoint_url: str | None = None  # default: the first action server's /webhook
    sidecars: dict[str, tuple[list[str], str | None]] = field(default_factory=dict)  # name: (args, health URL)
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    _commands: dict[str, list[str]] = field(default_factory=dict)
    _envs: dict[str, dict[str, str]] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def rasa_ports(self) -> list[int]:
        """The first replica listens on rasa_port, the others on replica_ports or the next free ports."""
        if not hasattr(self, "_rasa_ports"):
            self._rasa_ports = [self.rasa_port] + _more_ports(self.replica_ports, self.rasa_replicas - 1)
        return self._rasa_ports

    @property
    def actions_ports(self) -> list[int]:
        """The first action server listens on actions_port, the others on actions_replica_ports or free ports."""
        if not hasattr(self, "_actions_ports"):
            self._actions_ports = [self.actions_port] + _more_ports(self.actions_replica_ports,
                                                                     self.actions_replicas - 1)
        return self._actions_ports

    @staticmethod
    def replica_name(kind: str, index: int) -> str:
        """rasa, rasa2, rasa3…; actions, actions2…; worker, worker2…"""
        return kind if index == 0 else f"{kind}{index + 1}"

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def actions_url(self) -> str:
        return f"http://127.0.0.1:{self.actions_port}"

    @property
    def web_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    def env(self) -> dict[str, str]:
        """Environment shared by every process: one configuration for all."""
        env = dict(os.environ)
        env.update(
            {
                "SESAME_VAR_DIR": str(self.var_dir),
                "DATABASE_URL": env.get("DATABASE_URL", f"sqlite:///{self.var_dir / 'sesame.db'}"),
                "SESAME_TRACKER_DB": str(self.var_dir / "tracker.db"),
                "ACTION_ENDPOINT_URL": self.action_endpoint_url or f"{self.actions_url}/webhook",
                "SESAME_RASA_URL": self.rasa_url,
                "SESAME_RASA_PUBLIC_URL": env.get("SESAME_RASA_PUBLIC_URL", f"http://localhost:{self.rasa_port}"),
                "SESAME_RASA_TOKEN": self.token,
                "SESAME_WEB_PORT": str(self.web_port),
                "SESAME_PUBLIC_URL": env.get("SESAME_PUBLIC_URL", f"http://localhost:{self.web_port}"),
                "PYTHONUNBUFFERED": "1",
                # rasa-sdk listens on SANIC_HOST (0.0.0.0 by default): the action server
                # takes calls from Rasa on this machine only.
                "SANIC_HOST": env.get("SANIC_HOST", "127.0.0.1"),
                # Rasa sends it in X-Sesame-Action-Secret (endpoints*.yml) and actions.server
                # requires it when set; empty (no secret) is refused when SESAME_ENV=production.
                "SESAME_ACTION_SECRET": env.get("SESAME_ACTION_SECRET", ""),
                "TF_CPP_MIN_LOG_LEVEL": "2",
            }
        )
        env.update(self.extra_env)
        return env

    def _spawn(self, name: str, args: list[str], env: dict[str, str] | None = None) -> None:
        logs = self.var_dir / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        self._commands[name] = args
        self._envs[name] = env if env is not None else self.env()
        # The child keeps its own copy of the log file; closing ours leaks no descriptor per restart.
        with open(logs / f"{name}.log", "ab") as log:
            self.processes[name] = subprocess.Popen(
                args, cwd=ROOT, env=self._envs[name], stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )

    def respawn(self, name: str) -> subprocess.Popen:
        """Start an exited process again, same command and environment (tools/supervisor.py).

        What is left of its process group (children of the crashed process) is killed first:
        it could hold the port the new process must listen on.
        """
        old = self.processes.get(name)
        if old is not None and old.poll() is not None:
            try:
                os.killpg(old.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        self._spawn(name, self._commands[name], env=self._envs.get(name))
        return self.processes[name]

    def rasa_args(self, port: int) -> list[str]:
        """Arguments of `rasa run` for one replica.

        The token is glued to its flag: a token starting with "-" would otherwise be read
        by argparse as another option and Rasa would exit with code 2.
        """
        return ["run", "--model", str(self.model), "--endpoints", self.endpoints,
                "--credentials", "credentials.yml", "--port", str(port), "--interface", self.bind,
                "--enable-api", f"--auth-token={self.token}", "--cors", *self.web_origins()]

    def web_origins(self) -> list[str]:
        """The origins whose pages a browser lets call Rasa's HTTP API: the web chat's own, not "*".

        The web server's URL (SESAME_PUBLIC_URL, and the address this stack gives it) with its
        loopback spellings, and the sites in SESAME_ALLOWED_ORIGINS: the same list the web chat's
        socket.io accepts (bot/webchat/security_headers.py), so the two policies cannot drift.
        """
        from bot.webchat.security_headers import loopback_aliases, normalize_origin, socketio_allowed_origins

        allowed = socketio_allowed_origins(self.env())
        if allowed.any_origin:  # SESAME_ALLOWED_ORIGINS=* says so explicitly
            return ["*"]
        return sorted(allowed.origins | loopback_aliases(normalize_origin(self.web_url)))

    def start(self, timeout: float = 240) -> "Stack":
        """Prepare the database, start every process and wait until each answers."""
        from actions.booking.demo import refuse_demo_in_production

        refuse_demo_in_production(self.env())  # SESAME_ENV=production never starts on demo agenda data
        self.var_dir.mkdir(parents=True, exist_ok=True)
        began = time.monotonic()
        try:
            for name, (args, _health) in self.sidecars.items():  # e.g. HAProxy, in front of the others
                self._spawn(name, args)
            # Rasa first: it is the slowest to start and never reads the app database, so it
            # loads its model while the database is migrated and seeded (about 2 s saved).
            for index, port in enumerate(self.rasa_ports):
                # bot.rasa_server is `rasa` with a model load that skips tracing a training graph.
                self._spawn("rasa" if index == 0 else f"rasa{index + 1}",
                            [str(BIN / "python"), "-m", "bot.rasa_server", *self.rasa_args(port)])
            subprocess.run([str(BIN / "python"), "-m", "tools.seed"], cwd=ROOT, env=self.env(), check=True)
            self.timings["database_ready"] = round(time.monotonic() - began, 1)
            # actions.server is `rasa run actions` behind the shared secret check.
            for index, port in enumerate(self.actions_ports):
                self._spawn(self.replica_name("actions", index),
                            [str(BIN / "python"), "-m", "actions.server", "--actions", "actions.registry",
                             "--port", str(port)])
            if self.with_web and module_exists("bot.webchat.server"):
                self._spawn("web", [str(BIN / "python"), "-m", "bot.webchat.server"])
            if self.with_worker and module_exists("actions.notifications.worker"):
                for index in range(self.worker_replicas):
                    name = self.replica_name("worker", index)
                    env = {**self.env(), "SESAME_WORKER_NAME": name}
                    if index < len(self.worker_health_ports):
                        env["SESAME_WORKER_HEALTH_PORT"] = str(self.worker_health_ports[index])
                    self._spawn(name, [str(BIN / "python"), "-m", "actions.notifications.worker"], env=env)
            self._wait_ready(timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def health_checks(self) -> dict[str, str]:
        """The URL that answers 200 once each process serves (make run-prod prints them)."""
        checks = {name: health for name, (_args, health) in self.sidecars.items() if health}
        for index, port in enumerate(self.actions_ports):
            checks[self.replica_name("actions", index)] = f"http://127.0.0.1:{port}/health"
        for index, port in enumerate(self.rasa_ports):
            checks[self.replica_name("rasa", index)] = f"http://127.0.0.1:{port}/status?token={self.token}"
        if "web" in self.processes:
            checks["web"] = f"{self.web_url}/"
        for index, port in enumerate(self.worker_health_ports[:self.worker_replicas]):
            name = self.replica_name("worker", index)
            if name in self.processes:
                checks[name] = f"http://127.0.0.1:{port}/healthz"
        return checks

    def _wait_ready(self, timeout: float) -> None:
        began = time.monotonic()
        checks = self.health_checks()
        deadline = time.monotonic() + timeout
        pending = dict(checks)
        while pending:
            for name, url in list(pending.items()):
                proc = self.processes[name]
                if proc.poll() is not None:
                    raise StackStartError(f"{name} exited with code {proc.returncode}; see {self.var_dir}/logs/{name}.log")
                try:
                    with urllib.request.urlopen(url, timeout=2) as response:
                        if response.status == 200:
                            del pending[name]
                            self.timings[f"{name}_ready"] = round(time.monotonic() - began, 1)
                except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                    pass
            if time.monotonic() > deadline:
                raise StackStartError(f"not ready after {timeout:.0f} s: {', '.join(pending)}")
            time.sleep(0.5)

    def kill(self, name: str) -> None:
        """Stop one process abruptly, as a crash would (failure tests)."""
        proc = self.processes[name]
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()

    def restart(self, name: str, timeout: float = 120) -> None:
        """Start a killed process again and wait until the whole stack answers."""
        self._spawn(name, self._commands[name], env=self._envs.get(name))
        self._wait_ready(timeout)

    def stop(self) -> None:
        """Stop every process (SIGTERM, then SIGKILL after a grace period)."""
        for proc in self.processes.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for proc in self.processes.values():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        self.processes.clear()

    def say(self, sender: str, text: str, timeout: float = 30, replica: int = 0) -> list[dict]:
        """Send one message over the REST channel (to one replica) and return the bot's replies."""
        body = json.dumps({"sender": sender, "message": text}).encode()
        port = self.rasa_ports[replica]
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/webhooks/rest/webhook", data=body, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read())

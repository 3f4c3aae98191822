"""Helpers of the production fault tests: a private PostgreSQL, and `make run-prod` as a subprocess.

The machine's PostgreSQL, Redis and RabbitMQ are shared with other test runs: the tests never
restart them. The topology's PostgreSQL (app database and tracker store) is a private
instance made with initdb in a temporary folder, on a free port, which the tests may restart.
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any, Optional

from tests.production import amqp
from tools.stack import free_port

ROOT = Path(__file__).resolve().parents[2]
PG_BIN = Path(os.environ.get("SESAME_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))


class PrivatePostgres:
    """A PostgreSQL server of our own: initdb, start, restart, stop (trust login for postgres)."""

    def __init__(self) -> None:
        self.base = Path(tempfile.mkdtemp(prefix="sesame-pg-"))
        self.data = self.base / "data"
        self.log = self.base / "postgres.log"
        self.port = free_port()
        self._root = os.geteuid() == 0  # initdb refuses to run as root: run it as the postgres user

    def _run(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
        command = [str(PG_BIN / args[0]), *args[1:]]
        if self._root:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, check=True, capture_output=True, text=True, timeout=timeout)

    def start(self) -> "PrivatePostgres":
        if self._root:
            shutil.chown(self.base, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C",
                  "--no-sync")
        options = (f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c max_connections=200")
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-o", options, "start")
        return self

    def halt(self) -> None:
        """Stop the server (fast shutdown: every connection is cut), keeping its data."""
        self._run("pg_ctl", "-D", str(self.data), "-w", "-m", "fast", "stop")

    def resume(self) -> None:
        options = (f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c max_connections=200")
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-o", options, "start")

    def restart(self) -> float:
        """Restart (fast shutdown: every connection is cut); returns the seconds it took."""
        began = time.monotonic()
        self._run("pg_ctl", "-D", str(self.data), "-w", "-m", "fast", "restart", "-l", str(self.log))
        return time.monotonic() - began

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-w", "-m", "immediate", "stop")
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
            pass
        shutil.rmtree(self.base, ignore_errors=True)

    def url(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"


def http(method: str, url: str, body: Any = None, timeout: float = 30) -> tuple[int, Any, dict]:
    """(status, decoded JSON or text, headers); a connection failure is status 0."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw, status, headers = response.read(), response.status, dict(response.headers)
    except urllib.error.HTTPError as exc:
        raw, status, headers = exc.read(), exc.code, dict(exc.headers)
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return 0, None, {}
    try:
        return status, json.loads(raw), headers
    except ValueError:
        return status, raw.decode(errors="replace"), headers


class RunProd:
    """`python -m tools.run_prod` (what `make run-prod` runs) on free ports."""

    def __init__(self, postgres: PrivatePostgres, var_dir: Path, redis_db: str = "3") -> None:
        self.var_dir = var_dir
        self.queue = f"sesame_events_{uuid.uuid4().hex[:8]}"
        self.postgres = postgres
        self.app_db = postgres.url("sesame")
        self.tracker_db = postgres.url("sesame_tracker")
        self.env = {
            **os.environ,
            "SESAME_VAR_DIR": str(var_dir),
            "DATABASE_URL": self.app_db,
            "POSTGRES_HOST": "127.0.0.1", "POSTGRES_PORT": str(postgres.port), "POSTGRES_DB": "sesame_tracker",
            "POSTGRES_USER": "postgres", "POSTGRES_PASSWORD": "",
            "REDIS_HOST": "127.0.0.1", "REDIS_PORT": "6379", "REDIS_DB": redis_db,
            "REDIS_PASSWORD": "",  # the machine's Redis has no requirepass (test_redis_password.py has one)
            "RABBITMQ_HOST": "127.0.0.1", "RABBITMQ_PORT": "5672", "RABBITMQ_USER": amqp.USER,
            "RABBITMQ_PASSWORD": amqp.PASSWORD, "RABBITMQ_QUEUE": self.queue,
            "SESAME_ACTION_SECRET": secrets.token_hex(32), "SESAME_HASH_SALT": secrets.token_hex(32),
            "SESAME_RASA_PORT": str(free_port()), "SESAME_ACTIONS_PORT": str(free_port()),
            "SESAME_LB_STATS_PORT": str(free_port()), "SESAME_WEB_PORT": str(free_port()),
            "SESAME_RASA_REPLICA_PORTS": f"{free_port()},{free_port()}",
            "SESAME_ACTIONS_REPLICA_PORTS": f"{free_port()},{free_port()}",
            "SESAME_WORKER_HEALTH_PORTS": f"{free_port()},{free_port()}",
            "SESAME_RASA_TOKEN": secrets.token_hex(16),
            "SMS_PROVIDER": "log",
        }
        for name in ("SESAME_ENV", "SESAME_TRACKER_URL", "SESAME_RASA_PUBLIC_URL", "SESAME_PUBLIC_URL"):
            self.env.pop(name, None)
        self.proc: Optional[subprocess.Popen] = None
        self.out = var_dir / "run-prod.out"
        self.lb = f"http://127.0.0.1:{self.env['SESAME_RASA_PORT']}"
        self.token = self.env["SESAME_RASA_TOKEN"]
        self.startup_s: Optional[float] = None

    def start(self, timeout: float = 420) -> "RunProd":
        self.var_dir.mkdir(parents=True, exist_ok=True)
        began = time.monotonic()
        self.proc = subprocess.Popen([sys.executable, "-m", "tools.run_prod"], cwd=ROOT, env=self.env,
                                     stdout=open(self.out, "w"), stderr=subprocess.STDOUT, start_new_session=True)
        deadline = began + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"run_prod exited with {self.proc.returncode}:\n{self.output()[-3000:]}")
            if "Sésame is running in production mode" in self.output() and self.all_healthy():
                self.startup_s = round(time.monotonic() - began, 1)
                return self
            time.sleep(1)
        self.stop()
        raise RuntimeError(f"run_prod not ready after {timeout} s:\n{self.output()[-3000:]}")

    def output(self) -> str:
        return self.out.read_text(errors="replace") if self.out.exists() else ""

    def state(self) -> dict:
        return json.loads((self.var_dir / "topology.json").read_text())

    def pid(self, name: str) -> int:
        return self.state()["pids"][name]

    def healthy(self, name: str) -> bool:
        return http("GET", self.state()["health"][name], timeout=2)[0] == 200

    def all_healthy(self) -> bool:
        try:
            return all(self.healthy(name) for name in self.state()["health"])
        except (OSError, ValueError, KeyError):
            return False

    def wait(self, condition, timeout: float, what: str, interval: float = 0.5) -> float:  # type: ignore[no-untyped-def]
        """Seconds until condition() is true; AssertionError after ``timeout``."""
        began = time.monotonic()
        while time.monotonic() - began < timeout:
            try:
                if condition():
                    return time.monotonic() - began
            except (OSError, ValueError, KeyError):
                pass
            time.sleep(interval)
        raise AssertionError(f"not {what} after {timeout} s")

    def signal(self, name: str, sig: int) -> int:
        """Send ``sig`` to one process of the topology (its process group); returns its pid."""
        pid = self.pid(name)
        os.killpg(pid, sig)
        return pid

    def say(self, sender: str, text: str, timeout: float = 60,
            port: Optional[int] = None) -> tuple[int, list, str, float]:
        """(status, replies, replica that answered, seconds) of one REST turn through HAProxy, or
        straight to the Rasa replica on ``port`` (what HAProxy forwards, for a test that must know
        which replica runs the turn)."""
        began = time.monotonic()
        base = f"http://127.0.0.1:{port}" if port else self.lb
        status, body, headers = http("POST", f"{base}/webhooks/rest/webhook",
                                     {"sender": sender, "message": text}, timeout=timeout)
        elapsed = time.monotonic() - began
        replica = next((v for k, v in headers.items() if k.lower() == "x-sesame-replica"), "")  # HAProxy lowercases
        if port:
            replica = f"rasa{self.state()['rasa_ports'].index(port) + 1}"
        return status, body if isinstance(body, list) else [], replica, elapsed

    def tracker_events(self, sender: str) -> list[dict]:
        """The conversation's events as Rasa serves them (through HAProxy, either replica)."""
        status, body, _ = http("GET", f"{self.lb}/conversations/{sender}/tracker?include_events=ALL"
                                      f"&token={self.token}")
        assert status == 200, (status, body)
        return body["events"]

    def worker_roles(self) -> dict[str, str]:
        roles = {}
        for index, port in enumerate(self.state()["worker_health_ports"]):
            status, body, _ = http("GET", f"http://127.0.0.1:{port}/healthz", timeout=2)
            roles["worker" if index == 0 else f"worker{index + 1}"] = body.get("role", "") if status == 200 else "down"
        return roles

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            pids = list(self.state()["pids"].values())
        except (OSError, ValueError, KeyError):
            pids = []
        for pid in pids:  # a process a test stopped with SIGSTOP would not see SIGTERM
            try:
                os.killpg(pid, signal.SIGCONT)
            except (ProcessLookupError, PermissionError):
                pass
        os.killpg(self.proc.pid, signal.SIGTERM)  # run_prod stops its children, then exits
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def delete_queue(self) -> None:
        import pika

        connection = pika.BlockingConnection(pika.ConnectionParameters(
            "127.0.0.1", 5672, credentials=pika.PlainCredentials(self.env["RABBITMQ_USER"],
                                                                 self.env["RABBITMQ_PASSWORD"])))
        connection.channel().queue_delete(queue=self.queue)
        connection.close()

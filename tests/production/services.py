"""Private Redis and RabbitMQ servers for the restart tests.

The machine's shared services are used by other tests at the same time: they are never
restarted. A restart test starts its own server on a free port in a temporary folder and
restarts (or kills) that one.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Optional

import redis

from tools.stack import free_port

RABBITMQ_SERVER = Path("/usr/lib/rabbitmq/bin/rabbitmq-server")  # the script without Debian's su wrapper


def wait_for_port(port: int, timeout: float, process: Optional[subprocess.Popen] = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"server exited with code {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


def _kill_group(process: Optional[subprocess.Popen], sig: int) -> None:
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


class PrivateRedis:
    """redis-server on a free port; ``appendonly`` keeps its data across a restart; with
    ``password``, ``requirepass`` (given in a config file, so it never shows in ``ps``)."""

    def __init__(self, directory: Path, appendonly: bool = False, password: Optional[str] = None) -> None:
        self.directory = directory
        self.appendonly = appendonly
        self.password = password
        self.port = free_port()
        self.process: Optional[subprocess.Popen] = None
        directory.mkdir(parents=True, exist_ok=True)

    def start(self) -> "PrivateRedis":
        args = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                "--dir", str(self.directory), "--maxmemory-policy", "noeviction"]
        args += ["--appendonly", "yes", "--appendfsync", "always"] if self.appendonly else ["--appendonly", "no"]
        if self.password:
            config = self.directory / "auth.conf"
            config.write_text(f"requirepass {self.password}\n")
            config.chmod(0o600)
            args.insert(1, str(config))  # redis-server [config file] [options]
        log = open(self.directory / "redis.log", "ab")
        self.process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        wait_for_port(self.port, 10, self.process)
        client = redis.Redis(port=self.port, password=self.password)
        deadline = time.monotonic() + 10
        while True:  # with appendonly, Redis answers LOADING until the file is read
            try:
                client.ping()
                break
            except redis.BusyLoadingError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        client.close()
        return self

    def kill(self) -> None:
        """As a crash: SIGKILL (with appendfsync always, nothing written is lost)."""
        _kill_group(self.process, signal.SIGKILL)

    def restart(self) -> None:
        self.kill()
        self.start()

    def stop(self) -> None:
        _kill_group(self.process, signal.SIGTERM)


class PrivateRabbitMQ:
    """A RabbitMQ node of its own: node name, AMQP and distribution ports, data and logs in a
    temporary folder, no plugins (so no management port). It registers with the machine's epmd,
    which it does not start or stop. About 8 s to start on 2 cores."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.port = free_port()
        self.dist_port = free_port()
        self.name = f"sesame{self.port}@localhost"
        self.process: Optional[subprocess.Popen] = None
        for sub in ("mnesia", "log"):
            (directory / sub).mkdir(parents=True, exist_ok=True)
        (directory / "enabled_plugins").write_text("[].\n")
        (directory / "rabbitmq.conf").write_text("loopback_users = none\n")

    @staticmethod
    def available() -> bool:
        return RABBITMQ_SERVER.exists() and shutil.which("erl") is not None

    def env(self) -> dict[str, str]:
        d = self.directory
        env = dict(os.environ)
        env.update({
            "RABBITMQ_NODENAME": self.name, "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": str(self.port), "RABBITMQ_DIST_PORT": str(self.dist_port),
            "RABBITMQ_MNESIA_BASE": str(d / "mnesia"), "RABBITMQ_LOG_BASE": str(d / "log"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(d / "enabled_plugins"),
            "RABBITMQ_CONFIG_FILE": str(d / "rabbitmq"), "RABBITMQ_ADVANCED_CONFIG_FILE": str(d / "advanced.config"),
            "RABBITMQ_PID_FILE": str(d / "rabbitmq.pid"),
            "HOME": str(d),  # its own Erlang cookie
        })
        return env

    def start(self, timeout: float = 60) -> "PrivateRabbitMQ":
        log = open(self.directory / "server.log", "ab")
        self.process = subprocess.Popen([str(RABBITMQ_SERVER)], env=self.env(), stdout=log,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        wait_for_port(self.port, timeout, self.process)
        return self

    def kill(self) -> None:
        """RabbitMQ down, as a crash (persistent messages in durable queues survive)."""
        _kill_group(self.process, signal.SIGKILL)

    def stop(self) -> None:
        _kill_group(self.process, signal.SIGTERM)

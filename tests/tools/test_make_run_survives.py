"""`make run` survives a crash: each process killed with SIGKILL comes back, the others keep serving.

The real `python -m tools.run` (what `make run` starts) on free ports and its own
SQLite files. The action server, Rasa, the web server and the worker are killed in turn,
as a crash would (SIGKILL on the process only). Each comes back under a new pid and its
health URL answers again; a resident's REST message is answered all along — with the
never-silent apology and a human contact while the action server is down, normally once it
is back — and the conversation carries on across a restart of Rasa. SIGTERM then stops
everything, children included, and nothing is restarted.
"""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

from tools.stack import free_port

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.e2e, pytest.mark.rasa]

MODULES = {"actions.server": "actions", "bot.rasa_server": "rasa", "bot.webchat.server": "web",
           "actions.notifications.worker": "worker"}
APOLOGY = "Désolé, je n'ai pas pu répondre"
HUMAN = "Une personne peut vous aider"
ASK_HUMAN = "je veux parler a une vraie personne"  # answered by a custom action


def children(parent: int) -> dict[str, int]:
    """name → pid of the live processes `parent` started."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[1]) != parent or fields[0] == "Z":
            continue
        if len(cmdline) > 2 and cmdline[1] == b"-m" and cmdline[2].decode() in MODULES:
            found[MODULES[cmdline[2].decode()]] = int(entry.name)
    return found


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return False


def texts(replies: list[dict]) -> str:
    return "\n".join(reply.get("text", "") for reply in replies)


class MakeRun:
    def __init__(self, tmp_path: Path) -> None:
        self.ports = {"SESAME_RASA_PORT": free_port(), "SESAME_ACTIONS_PORT": free_port(),
                      "SESAME_WEB_PORT": free_port()}
        env = {**os.environ, "SESAME_VAR_DIR": str(tmp_path), **{k: str(v) for k, v in self.ports.items()}}
        env.pop("DATABASE_URL", None)
        self.out = tmp_path / "run.out"
        self.proc = subprocess.Popen([sys.executable, "-m", "tools.run"], cwd=ROOT, env=env,
                                     stdout=open(self.out, "w"), stderr=subprocess.STDOUT, start_new_session=True,
                                     preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        self.health = {"actions": f"http://127.0.0.1:{self.ports['SESAME_ACTIONS_PORT']}/health",
                       "rasa": f"http://127.0.0.1:{self.ports['SESAME_RASA_PORT']}/",
                       "web": f"http://127.0.0.1:{self.ports['SESAME_WEB_PORT']}/healthz"}

    def output(self) -> str:
        return self.out.read_text()

    def wait_for(self, condition, what: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            assert self.proc.poll() is None, f"run.py exited while waiting for {what}:\n{self.output()[-3000:]}"
            assert time.monotonic() < deadline, f"{what} not after {timeout:.0f} s:\n{self.output()[-3000:]}"
            time.sleep(0.2)

    def logged(self, line: str) -> None:
        self.wait_for(lambda: line in self.output(), repr(line), 10)

    def say(self, sender: str, text: str) -> list[dict]:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.ports['SESAME_RASA_PORT']}/webhooks/rest/webhook",
            data=json.dumps({"sender": sender, "message": text}).encode(),
            headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as response:
            replies = json.loads(response.read())
        assert replies and texts(replies).strip(), f"no answer to {text!r}"
        return replies

    def crash(self, name: str) -> tuple[int, dict[str, int]]:
        """SIGKILL one process (not its group: a crash), wait until it is gone; (its pid, the others)."""
        before = children(self.proc.pid)
        pid = before[name]
        os.kill(pid, signal.SIGKILL)
        self.wait_for(lambda: name not in children(self.proc.pid), f"{name} gone", 10)
        if name in self.health:
            self.wait_for(lambda: not answers(self.health[name]), f"{name} down", 10)
        return pid, {other: p for other, p in before.items() if other != name}

    def wait_back(self, name: str, old_pid: int, timeout: float = 90) -> int:
        self.wait_for(lambda: children(self.proc.pid).get(name, old_pid) != old_pid, f"a new {name}", timeout)
        if name in self.health:
            self.wait_for(lambda: answers(self.health[name]), f"{name} answering again", timeout)
        new_pid = children(self.proc.pid)[name]
        self.logged(f"{name} restarted (pid {new_pid})")
        return new_pid


def test_each_process_killed_comes_back_while_the_others_keep_serving(trained_model, tmp_path) -> None:
    began = time.monotonic()
    run = MakeRun(tmp_path)
    known: set[int] = set()
    try:
        run.wait_for(lambda: "Press Ctrl-C to stop everything." in run.output(), "the banner", 240)
        pids = children(run.proc.pid)
        assert set(pids) == {"actions", "rasa", "web", "worker"}, pids
        known.update(pids.values())
        sender = f"survives-{uuid.uuid4().hex[:8]}"
        assert "Sésame" in texts(run.say(sender, "bonjour"))

        # The action server, three crashes in a row: 1 s, 2 s, then 4 s before it is back.
        # During the last wait Rasa cannot reach it: the resident gets the apology and a person to call.
        for number, delay in ((1, 1), (2, 2), (3, 4)):
            old, others = run.crash("actions")
            if number == 3:
                answer = texts(run.say(sender, ASK_HUMAN))
                assert APOLOGY in answer and HUMAN in answer and re.search(r"\d\d(?: ?\d\d){4}", answer)
            run.logged(f"actions exited with code -9; restarting in {delay} s (restart {number})")
            known.add(run.wait_back("actions", old))
            assert {n: p for n, p in children(run.proc.pid).items() if n != "actions"} == others  # untouched
        answer = texts(run.say(sender, ASK_HUMAN))
        assert APOLOGY not in answer and "conseiller" in answer  # the handoff offer, from the action server

        # Rasa: the web chat and the action server keep serving meanwhile; the conversation goes on after.
        old, others = run.crash("rasa")
        assert answers(run.health["web"]) and answers(run.health["actions"])
        run.logged("rasa exited with code -9; restarting in 1 s (restart 1)")
        known.add(run.wait_back("rasa", old))
        assert {n: p for n, p in children(run.proc.pid).items() if n != "rasa"} == others
        answer = texts(run.say(sender, "oui"))  # consents to the handoff asked before the crash
        assert APOLOGY not in answer and "répond" in answer

        # The web server and the worker: the REST channel answers while each is down.
        for name in ("web", "worker"):
            old, others = run.crash(name)
            assert "Sésame" in texts(run.say(f"survives-{uuid.uuid4().hex[:8]}", "bonjour"))
            run.logged(f"{name} exited with code -9; restarting in 1 s (restart 1)")
            known.add(run.wait_back(name, old))
            assert {n: p for n, p in children(run.proc.pid).items() if n != name} == others
        assert "Sésame" in texts(run.say(f"survives-{uuid.uuid4().hex[:8]}", "bonjour"))

        # SIGTERM stops everything, children included, and restarts nothing.
        alive = children(run.proc.pid)
        os.kill(run.proc.pid, signal.SIGTERM)
        assert run.proc.wait(timeout=60) == 0
        assert run.output().rstrip().endswith("Stopped.")
        after_stop = run.output().split("Stopping Sésame…", 1)[1]
        assert "restart" not in after_stop, after_stop
        assert not any(Path(f"/proc/{pid}").exists() for pid in alive.values()), "a child outlived run.py"
        assert not any(answers(url) for url in run.health.values())
    finally:
        if run.proc.poll() is None:
            os.kill(run.proc.pid, signal.SIGTERM)
            try:
                run.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                run.proc.kill()
        for pid in known:  # leave no server behind, even when the test failed half-way
            try:
                ours = f"SESAME_VAR_DIR={tmp_path}".encode() in Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
                if ours:
                    os.killpg(pid, signal.SIGKILL)
            except (OSError, ProcessLookupError):
                pass
    print(f"make run survived four crashes in {time.monotonic() - began:.0f} s")

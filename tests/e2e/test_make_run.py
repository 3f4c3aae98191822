"""`make run` as a new user runs it: it starts, prints where to talk, answers, and Ctrl-C stops all."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tools.stack import free_port

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.e2e, pytest.mark.rasa]


def port_open(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_make_run_starts_answers_and_stops_cleanly_on_ctrl_c(trained_model, tmp_path) -> None:
    ports = {"SESAME_RASA_PORT": free_port(), "SESAME_ACTIONS_PORT": free_port(), "SESAME_WEB_PORT": free_port()}
    env = {**os.environ, "SESAME_VAR_DIR": str(tmp_path), **{k: str(v) for k, v in ports.items()}}
    env.pop("DATABASE_URL", None)
    log = open(tmp_path / "make-run.out", "w+")
    # A terminal delivers Ctrl-C: SIGINT must not be inherited as ignored, as it is when the
    # test suite itself was started in the background by a shell without job control.
    proc = subprocess.Popen(["make", "-s", "run"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        deadline = time.monotonic() + 300
        while "Press Ctrl-C to stop everything." not in (tmp_path / "make-run.out").read_text():
            assert proc.poll() is None, (tmp_path / "make-run.out").read_text()[-3000:]
            assert time.monotonic() < deadline, "make run did not get ready in 5 minutes"
            time.sleep(1)
        banner = (tmp_path / "make-run.out").read_text()
        assert f"localhost:{ports['SESAME_RASA_PORT']}/webhooks/rest/webhook" in banner

        request = urllib.request.Request(
            f"http://127.0.0.1:{ports['SESAME_RASA_PORT']}/webhooks/rest/webhook",
            data=json.dumps({"sender": "nouvelle-habitante", "message": "bonjour"}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            assert "Sésame" in json.loads(response.read())[0]["text"]
        assert (tmp_path / "tracker.db").exists() and (tmp_path / "sesame.db").exists()
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # leave no server behind, then fail
            raise
    deadline = time.monotonic() + 60  # make may exit before its child has finished stopping
    while "Stopped." not in (tmp_path / "make-run.out").read_text() and time.monotonic() < deadline:
        time.sleep(0.5)
    assert "Stopped." in (tmp_path / "make-run.out").read_text()
    time.sleep(1)
    assert not any(port_open(p) for p in ports.values()), "a process kept its port after Ctrl-C"

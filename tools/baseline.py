"""The baseline of issue 2, rebuilt so that it can be measured beside Sésame.

Issue 2 gives a baseline "seen for a 3-intent probe on this machine": p50 13 ms, 66 turns/s,
1.5 GB, ready in 18 s. The machines this project runs on are not one machine: the same code
gave a median turn of 12.9 ms one hour and 20.8 ms the next (docs/benchmarks.md). A figure
from another day says little about today's, so the probe is rebuilt here: Rasa 3.6's own
default configuration, three intents, one rule each (``baseline_probe/``), served by the
stock ``rasa run`` with its defaults (in-memory tracker store, no action server). `make
bench` runs it and Sésame one after the other with the same load and compares the two.
"""
from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from importlib.metadata import version
from pathlib import Path

from tools.model import MODELS_DIR

PROBE_DIR = Path(__file__).with_name("baseline_probe")
BIN = Path(sys.executable).parent


class ProbeStartError(RuntimeError):
    """The probe's Rasa server exited or did not answer in time."""


def probe_inputs() -> list[Path]:
    """Every file that shapes the probe's model, in a stable order."""
    return sorted(p for p in PROBE_DIR.rglob("*.yml") if p.is_file())


def probe_model_path() -> Path:
    """The probe's model for its current inputs and the installed Rasa (may not exist yet)."""
    digest = hashlib.sha256(version("rasa").encode())
    for path in probe_inputs():
        digest.update(str(path.relative_to(PROBE_DIR)).encode())
        digest.update(path.read_bytes())
    return MODELS_DIR / f"probe-{digest.hexdigest()[:16]}.tar.gz"


def ensure_probe_model() -> Path:
    """Train the probe with the stock `rasa train` if its model is not cached yet."""
    target = probe_model_path()
    if target.exists():
        return target
    MODELS_DIR.mkdir(exist_ok=True)
    print("Training the baseline probe (about a minute)…", flush=True)
    with tempfile.TemporaryDirectory() as scratch:  # Rasa's training cache stays out of the source tree
        subprocess.run([str(BIN / "rasa"), "train", "--config", str(PROBE_DIR / "config.yml"),
                        "--domain", str(PROBE_DIR / "domain.yml"), "--data", str(PROBE_DIR / "data"),
                        "--out", str(MODELS_DIR), "--fixed-model-name", target.name.removesuffix(".tar.gz")],
                       cwd=scratch, check=True, stdout=subprocess.DEVNULL)
    for old in MODELS_DIR.glob("probe-*.tar.gz"):
        if old != target:
            old.unlink()
    return target


class ProbeServer:
    """The stock `rasa run` serving the probe over REST, as Rasa ships it."""

    def __init__(self, model: Path, port: int, log: Path) -> None:
        self.model, self.port, self.log = model, port, log
        self.process: subprocess.Popen | None = None

    @property
    def pid(self) -> int:
        assert self.process is not None, "the probe is not started"
        return self.process.pid

    def start(self, timeout: float = 240) -> None:
        """Start the server and return once its REST channel is up (not yet loaded: see `say`)."""
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                [str(BIN / "rasa"), "run", "--model", str(self.model), "--port", str(self.port),
                 "--interface", "127.0.0.1", "--enable-api"],
                cwd=self.log.parent, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                env={**os.environ, "PYTHONPATH": ""})
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ProbeStartError(f"the probe's rasa exited with code {self.process.returncode}; see {self.log}")
            if self._model_loaded():
                return
            time.sleep(0.2)
        self.stop()
        raise ProbeStartError(f"the probe did not answer within {timeout:.0f} s; see {self.log}")

    def _model_loaded(self) -> bool:
        """True once the server answers with its model; False while it is still starting."""
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/status", timeout=2) as answer:
                return bool(json.loads(answer.read()).get("model_file"))
        except OSError:  # not listening yet: Rasa opens its port once the model is loaded
            return False

    def say(self, sender: str, text: str, timeout: float = 30) -> list[dict]:
        """One message over the REST channel, exactly as `Stack.say` sends it to Sésame."""
        body = json.dumps({"sender": sender, "message": text}).encode()
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}/webhooks/rest/webhook", data=body,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return json.loads(answer.read())

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGINT)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()



"""Run Rasa's own command line the way a developer would, from the repository root."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RASA = str(Path(sys.executable).with_name("rasa"))
TRAINING_DATA = ["data/nlu", "data/rules", "data/stories"]


def rasa(*args: str, timeout: float = 1200) -> subprocess.CompletedProcess:
    """Run ``rasa <args>`` and capture its output (both streams, as text)."""
    return subprocess.run(
        [RASA, *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout,
        env={**__import__("os").environ, "TF_CPP_MIN_LOG_LEVEL": "2"},
    )

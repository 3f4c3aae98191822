"""Train the Rasa model only when its inputs changed.

The model's name carries a hash of config.yml, domain/ and the training data
(plus the Rasa version), so `make run` and `make test` reuse the cached model in
models/ and retrain only after an edit. A file lock serialises trainings: the
machine has 2 cores and two trainings at once would only slow both down.
"""
from __future__ import annotations

import fcntl
import hashlib
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TRAINING_DATA = [ROOT / "data" / "nlu", ROOT / "data" / "rules", ROOT / "data" / "stories"]
MODELS_DIR = ROOT / "models"


def training_inputs() -> list[Path]:
    """Every file whose content shapes the model, in a stable order."""
    files = [ROOT / "config.yml", *sorted((ROOT / "domain").glob("*.yml"))]
    for folder in TRAINING_DATA:
        files += sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in {".yml", ".yaml", ".txt"})
    return files


def model_hash() -> str:
    """Hash of the training inputs and the Rasa version."""
    digest = hashlib.sha256(version("rasa").encode())
    for path in training_inputs():
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def model_path() -> Path:
    """Where the model for the current inputs lives (it may not exist yet)."""
    return MODELS_DIR / f"sesame-{model_hash()}.tar.gz"


def ensure_model() -> Path:
    """Return the model for the current inputs, training it first if needed."""
    MODELS_DIR.mkdir(exist_ok=True)
    with open(MODELS_DIR / ".train.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        target = model_path()
        if target.exists():
            print(f"Model up to date: {target.relative_to(ROOT)}", flush=True)
            return target
        print("Training the model (config, domain or data changed)…", flush=True)
        cmd = [
            str(Path(sys.executable).with_name("rasa")), "train",
            "--config", "config.yml", "--domain", "domain",
            "--data", *[str(p.relative_to(ROOT)) for p in TRAINING_DATA],
            "--out", "models", "--fixed-model-name", target.name.removesuffix(".tar.gz"),
        ]
        subprocess.run(cmd, cwd=ROOT, check=True)
        for old in MODELS_DIR.glob("sesame-*.tar.gz"):
            if old != target:
                old.unlink()
        return target


if __name__ == "__main__":
    print(ensure_model())

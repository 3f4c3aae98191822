"""The Makefile finds Python 3.10, or says clearly what to install."""
from __future__ import annotations

import subprocess
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "tools" / "find-python.sh"


def test_finds_a_python_3_10() -> None:
    found = subprocess.run(["bash", str(SCRIPT)], capture_output=True, text=True, check=True).stdout.strip()
    version = subprocess.run([found, "--version"], capture_output=True, text=True).stdout
    assert version.startswith("Python 3.10")


def test_without_python_3_10_it_says_what_to_install(tmp_path: Path) -> None:
    env = {"PATH": str(tmp_path), "HOME": str(tmp_path), "PYTHON310": "/nonexistent/python"}
    result = subprocess.run(["/bin/bash", str(SCRIPT)], capture_output=True, text=True, env=env)
    if result.returncode == 0:  # a system-wide 3.10 exists outside PATH and HOME
        assert result.stdout.strip().startswith("/usr")
        return
    assert "needs Python 3.10" in result.stderr
    assert "pyenv install 3.10" in result.stderr

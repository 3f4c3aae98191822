"""Fuzz fixtures: one real stack for every fuzz test (Hypothesis' settings: tests/fuzz/strategies.py).

``SESAME_TEST_MODEL`` runs the stack on an existing model file instead of
the one ``trained_model`` would train (e.g. while the training data is being edited).
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

import pytest

from tests.fuzz.stack import FuzzStack, fuzz_stack


@pytest.fixture(scope="session")
def fuzz_model(request) -> Path:
    given = os.environ.get("SESAME_TEST_MODEL", "")
    if given:
        path = Path(given)
        assert path.is_file(), f"SESAME_TEST_MODEL={given} is not a model file"
        return path
    return request.getfixturevalue("trained_model")


@pytest.fixture(scope="session")
def fuzzed(fuzz_model, tmp_path_factory) -> Iterator[FuzzStack]:
    """The real stack every fuzz test talks to (started once)."""
    with fuzz_stack(fuzz_model, tmp_path_factory.mktemp("sesame-fuzz")) as running:
        yield running

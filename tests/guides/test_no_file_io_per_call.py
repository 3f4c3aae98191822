"""Slow-path guard: a guide action's data is read once per process, never on each resident's turn."""
from __future__ import annotations

import builtins
import time
from pathlib import Path

from actions.guides import conversation
from actions.guides.library import catalogue_services, load_library


def test_a_guide_turn_reads_no_file_and_stays_fast(monkeypatch) -> None:
    library, places = load_library(), catalogue_services()  # the first call reads the files
    opened: list[str] = []
    real_open, real_read = builtins.open, Path.read_text
    monkeypatch.setattr(builtins, "open", lambda *a, **k: opened.append(str(a[0])) or real_open(*a, **k))
    monkeypatch.setattr(Path, "read_text", lambda self, *a, **k: opened.append(str(self)) or real_read(self, *a, **k))
    began = time.perf_counter()
    for _ in range(50):
        assert catalogue_services() is places and load_library() is library
        conversation.start("la caf m'a coupé le rsa", None, load_library(), catalogue_services())
    per_turn_ms = (time.perf_counter() - began) * 1000 / 50
    assert opened == [], f"files read on a turn: {opened[:3]}"
    assert per_turn_ms < 20, f"{per_turn_ms:.1f} ms a turn"

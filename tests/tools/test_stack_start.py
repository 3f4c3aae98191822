"""A stack whose database cannot be prepared fails to start and leaves no process behind.

Rasa is started before the database is migrated (it loads its model meanwhile), so a failed
migration must also stop the Rasa server already running.
"""
from __future__ import annotations

import os
import subprocess

import pytest

from tools.stack import Stack, free_port


def test_a_failed_database_stops_the_rasa_server_already_started(tmp_path, trained_model) -> None:
    nowhere = f"postgresql://sesame@127.0.0.1:{free_port()}/sesame"  # nothing listens there
    stack = Stack(model=trained_model, var_dir=tmp_path / "var", rasa_port=free_port(), actions_port=free_port(),
                  web_port=free_port(), with_web=False, with_worker=False,
                  extra_env={"DATABASE_URL": nowhere})
    spawned = []
    original = stack._spawn

    def remember(name: str, args: list[str]) -> None:
        original(name, args)
        spawned.append(stack.processes[name])

    stack._spawn = remember  # type: ignore[method-assign]
    try:
        with pytest.raises(subprocess.CalledProcessError):
            stack.start(timeout=60)
    finally:
        stack.stop()
    assert [p.args[2] for p in spawned] == ["bot.rasa_server"]  # Rasa was started first
    assert all(p.poll() is not None for p in spawned)  # and is stopped
    for process in spawned:
        with pytest.raises(ProcessLookupError):
            os.killpg(process.pid, 0)  # nothing of its process group is left either
    assert stack.processes == {}

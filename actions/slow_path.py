"""Watch each action call for the slow path: files opened, or more time than its budget.

Issue found by profiling (docs/benchmarks.md): an action re-read the catalogue's YAML files
on every call, 98.7 % of the action server's time under load, and nothing noticed. This
module makes such a regression visible: the action server (actions/threaded_executor.py)
runs every call inside :func:`watch`, and logs a ``slow path:`` warning when a call that is
not the action's first in this process opens a file or takes longer than the budget
(``SESAME_ACTION_BUDGET_MS``). A first call may load what it then keeps in memory.
tests/e2e/test_slow_path.py runs every kind of resident turn through the real stack and
fails on any such warning.

Files are seen through CPython's audit hook for ``open`` (raised by ``open()``, ``io.open``
and ``os.open``). The list of opened files lives in a context variable, so the threads an
action starts with ``asyncio.to_thread`` (which copies the context) are watched as well.
"""
from __future__ import annotations

import contextvars
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Iterator, Optional

_opened: contextvars.ContextVar[Optional[list[str]]] = contextvars.ContextVar("sesame_opened_files", default=None)
_installed = False


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if event == "open":
        opened = _opened.get()
        if opened is not None:
            opened.append(str(args[0]))


def install() -> None:
    """Add the audit hook once per process (audit hooks cannot be removed: it stays cheap)."""
    global _installed
    if not _installed:
        sys.addaudithook(_audit)
        _installed = True


@dataclass
class CallRecord:
    """What one action call did: the files it opened and how long it took."""

    opened: list[str] = field(default_factory=list)
    seconds: float = 0.0


@contextmanager
def watch() -> Iterator[CallRecord]:
    """Record the files opened and the time spent inside the block (this context only)."""
    install()
    record = CallRecord()
    token = _opened.set(record.opened)
    start = time.perf_counter()
    try:
        yield record
    finally:
        record.seconds = time.perf_counter() - start
        _opened.reset(token)


def slow_path_problems(record: CallRecord, budget_ms: float) -> list[str]:
    """Why a repeated call is on the slow path (empty: it is not)."""
    problems = []
    if record.opened:
        shown = ", ".join(sorted(set(record.opened))[:5])
        problems.append(f"opened {len(record.opened)} file(s) ({shown})")
    if record.seconds * 1000 > budget_ms:
        problems.append(f"took {record.seconds * 1000:.0f} ms (budget {budget_ms:.0f} ms)")
    return problems

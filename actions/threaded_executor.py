"""Run each action call in a worker thread, so blocking work never stalls the action server.

rasa-sdk runs every action on the Sanic event loop. Sésame's actions do blocking work (SQL
through SQLAlchemy, the booking engine, a few file reads at first use): while one resident's
booking is written, every other resident's action waits, and at 16 concurrent conversations
the queue, not the work, set the latency (docs/benchmarks.md, "action turns under load").

:class:`ThreadedActionExecutor` keeps rasa-sdk's executor (registration, validation of the
events, the response) and only moves ``run`` into a thread pool. Each worker thread owns one
event loop for its whole life: async actions (and the ``asyncio.to_thread`` calls inside
them) run on it as on the main loop, without creating a loop per call. The event loop of
the server only parses requests and writes responses.

Why not ``asyncio.to_thread`` inside each action: every action would have to remember it,
form validators included, and the next one that forgets would silently block everyone. One
place, at the server, covers every action present and future.
"""
from __future__ import annotations

import asyncio
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, Optional, Text

from rasa_sdk.executor import ActionExecutor

from actions.slow_path import slow_path_problems, watch

log = logging.getLogger(__name__)


class ThreadedActionExecutor(ActionExecutor):
    """rasa-sdk's ActionExecutor whose ``run`` happens in one of ``threads`` worker threads."""

    def __init__(self, threads: int = 8, budget_ms: float = 250) -> None:
        super().__init__()
        self.threads = threads
        self.budget_ms = budget_ms
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="action")
        self._local = threading.local()
        self._called: set[str] = set()
        self._called_lock = threading.Lock()

    async def run(self, action_call: Dict[Text, Any]) -> Optional[Dict[Text, Any]]:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, self._run_in_worker, action_call)

    def _run_in_worker(self, action_call: Dict[Text, Any]) -> Optional[Dict[Text, Any]]:
        loop = getattr(self._local, "loop", None)
        if loop is None:
            loop = self._local.loop = asyncio.new_event_loop()
        name = str(action_call.get("next_action") or "")
        with watch() as record:
            result = loop.run_until_complete(ActionExecutor.run(self, action_call))
        with self._called_lock:
            repeated = name in self._called
            self._called.add(name)
        problems = slow_path_problems(record, self.budget_ms)
        if problems and repeated:
            log.warning("slow path: action %s %s", name, "; ".join(problems))
        elif problems:
            log.info("first call of action %s %s", name, "; ".join(problems))
        return result

    def shutdown(self) -> None:
        """Wait for running calls, then stop the worker threads."""
        self._pool.shutdown(wait=True)

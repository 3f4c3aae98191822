"""Keep Sésame's processes up: a process that dies is started again, the others keep serving.

`make run` (tools/run.py) hands its running processes to a :class:`Supervisor`.
When one exits (a crash, the OOM killer, a SIGKILL) it is restarted with the same
command and environment after a growing delay: 1 s, 2 s, 4 s … capped at 30 s, so a
process that cannot start does not spin. A process that stayed up 60 s is counted as
stable again and its next crash waits 1 s. Only :meth:`Supervisor.stop` (run.py calls
it on Ctrl-C or SIGTERM) ends the supervision; nothing is restarted after it.

Plain code with no Sésame import: the clock, the sleep and the log are parameters, so
tests drive it with fake processes and a fake clock (tests/tools/test_supervisor.py).
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable, MutableMapping, Optional, Protocol


class Process(Protocol):
    """What the supervisor needs of a process: subprocess.Popen has it."""

    pid: int

    def poll(self) -> Optional[int]: ...


@dataclass(frozen=True)
class Backoff:
    """Delay before the n-th restart in a row: first, first·factor, … capped at ``cap`` seconds."""

    first: float = 1.0
    factor: float = 2.0
    cap: float = 30.0
    stable_after: float = 60.0  # a process up this long is healthy again: the delay starts over

    def delay(self, failures: int) -> float:
        """The delay after ``failures`` crashes in a row before this one (0 for the first)."""
        return min(self.cap, self.first * self.factor ** failures)


@dataclass
class _Watch:
    started_at: float
    failures: int = 0  # crashes in a row, without a stable period in between
    restarts: int = 0  # restarts since the supervisor began (what the log shows)
    due_at: Optional[float] = None  # when a dead process is to be started again


class Supervisor:
    """Watch ``processes`` (name → process, updated in place) and restart the ones that exit.

    ``respawn(name)`` starts the process again with its command and environment and
    returns the new process. ``run()`` loops until ``stop()``; ``step()`` is one pass.
    """

    def __init__(
        self,
        processes: MutableMapping[str, Process],
        respawn: Callable[[str], Process],
        *,
        backoff: Backoff = Backoff(),
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        log: Callable[[str], None] = lambda line: print(line, flush=True),
        poll_interval: float = 0.5,
    ) -> None:
        self.processes = processes
        self.respawn = respawn
        self.backoff = backoff
        self.clock = clock
        self.sleep = sleep
        self.log = log
        self.poll_interval = poll_interval
        self.stopping = False
        now = clock()
        self.watches = {name: _Watch(started_at=now) for name in processes}

    def stop(self) -> None:
        """End the supervision: no restart from now on (safe to call from a signal handler)."""
        self.stopping = True

    def restarts(self, name: str) -> int:
        return self.watches[name].restarts

    def step(self) -> None:
        """Notice the processes that exited, and start again those whose delay is over."""
        for name, watch in self.watches.items():
            if self.stopping:
                return
            now = self.clock()
            if watch.due_at is None:
                code = self.processes[name].poll()
                if now - watch.started_at >= self.backoff.stable_after:
                    watch.failures = 0  # it served long enough: the next crash is a new one
                if code is None:
                    continue
                self._schedule(name, watch, now, f"{name} exited with code {code}")
            if watch.due_at is not None and now >= watch.due_at:
                self._restart(name, watch)

    def run(self) -> None:
        """Supervise until stop()."""
        while not self.stopping:
            self.step()
            if self.stopping:
                break
            self.sleep(self._wait())

    def _wait(self) -> float:
        now = self.clock()
        due = [w.due_at - now for w in self.watches.values() if w.due_at is not None]
        return max(0.0, min([self.poll_interval, *due]))

    def _schedule(self, name: str, watch: _Watch, now: float, what: str) -> None:
        delay = self.backoff.delay(watch.failures)
        watch.failures += 1
        watch.restarts += 1
        watch.due_at = now + delay
        self.log(f"{what}; restarting in {delay:g} s (restart {watch.restarts})")

    def _restart(self, name: str, watch: _Watch) -> None:
        if self.stopping:
            return
        try:
            process = self.respawn(name)
        except Exception as exc:  # e.g. the executable is gone: try again later, never give up
            self._schedule(name, watch, self.clock(), f"{name} could not be started ({exc})")
            return
        self.processes[name] = process
        watch.started_at = self.clock()
        watch.due_at = None
        self.log(f"{name} restarted (pid {process.pid})")

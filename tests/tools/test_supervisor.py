"""The supervisor of `make run`: fake processes and a fake clock, so no test waits.

A dead process is restarted after 1 s, 2 s, 4 s … capped at 30 s; the delay starts over
once a process stayed up 60 s; the other processes are left alone; nothing is restarted
after stop() (Ctrl-C, SIGTERM).
"""
from __future__ import annotations

import itertools
import re
from typing import Callable, Optional

from tools.supervisor import Backoff, Supervisor

PIDS = itertools.count(1000)
NAMES = ("actions", "rasa", "web", "worker")


class FakeProcess:
    def __init__(self, name: str) -> None:
        self.name = name
        self.pid = next(PIDS)
        self.returncode: Optional[int] = None

    def poll(self) -> Optional[int]:
        return self.returncode

    def die(self, code: int = -9) -> None:
        self.returncode = code


class World:
    """Fake processes and a fake clock whose sleep runs the events due meanwhile (a crash at 10 s…)."""

    def __init__(self, names: tuple[str, ...] = NAMES) -> None:
        self.now = 0.0
        self.events: list[tuple[float, int, Callable[[], None]]] = []
        self.lines: list[tuple[float, str]] = []
        self.spawned: list[tuple[float, FakeProcess]] = []
        self.crashing_on_start: dict[str, float] = {}  # name → seconds a new process lives
        self.processes = {name: FakeProcess(name) for name in names}
        self.supervisor = Supervisor(self.processes, self.respawn, clock=lambda: self.now, sleep=self.sleep,
                                     log=lambda line: self.lines.append((self.now, line)))

    def respawn(self, name: str) -> FakeProcess:
        process = FakeProcess(name)
        self.spawned.append((self.now, process))
        if name in self.crashing_on_start:
            self.at(self.now + self.crashing_on_start[name], process.die)
        return process

    def at(self, moment: float, event: Callable[[], None]) -> None:
        self.events.append((moment, len(self.events), event))
        self.events.sort(key=lambda item: item[:2])

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        target = self.now + max(seconds, 0.01)  # a real sleep always lets some time pass
        while self.events and self.events[0][0] <= target:
            moment, _, event = self.events.pop(0)
            self.now = max(self.now, moment)
            event()
        self.now = target

    def kill(self, name: str, code: int = -9) -> Callable[[], None]:
        return lambda: self.processes[name].die(code)

    def run_until(self, moment: float) -> None:
        self.at(moment, self.supervisor.stop)
        self.supervisor.run()

    def starts(self, name: str) -> list[float]:
        return [round(t, 2) for t, process in self.spawned if process.name == name]

    def announced(self, name: str) -> list[tuple[float, float, int]]:
        """(when, delay, restart number) of each 'name exited …; restarting in …' line."""
        found = []
        for when, line in self.lines:
            match = re.fullmatch(rf"{name} (?:exited with code -?\d+|could not be started \(.*\)); "
                                 r"restarting in ([\d.]+) s \(restart (\d+)\)", line)
            if match:
                found.append((round(when, 2), float(match.group(1)), int(match.group(2))))
        return found


def test_the_backoff_doubles_from_one_second_and_is_capped_at_thirty() -> None:
    backoff = Backoff()
    assert [backoff.delay(n) for n in range(8)] == [1, 2, 4, 8, 16, 30, 30, 30]


def test_a_dead_process_is_restarted_after_one_second_and_the_others_are_left_alone() -> None:
    world = World()
    others = {name: world.processes[name] for name in ("rasa", "web", "worker")}
    world.at(10, world.kill("actions"))
    world.run_until(30)

    assert world.announced("actions") == [(10.0, 1.0, 1)]  # noticed within one poll (0.5 s)
    assert ("actions exited with code -9; restarting in 1 s (restart 1)") in [line for _, line in world.lines]
    assert world.starts("actions") == [11.0]  # one second later, and once
    new = world.spawned[0][1]
    assert world.processes["actions"] is new and new.poll() is None
    assert (11.0, f"actions restarted (pid {new.pid})") in world.lines
    assert all(world.processes[name] is process for name, process in others.items())  # never touched
    assert world.starts("rasa") == world.starts("web") == world.starts("worker") == []


def test_a_process_that_keeps_crashing_waits_1_2_4_8_16_then_30_seconds() -> None:
    world = World()
    world.crashing_on_start["actions"] = 0.2  # cannot start: dies 0.2 s after each start
    world.at(10, world.kill("actions"))
    world.run_until(200)

    announced = world.announced("actions")
    assert len(announced) >= 8
    assert [delay for _, delay, _ in announced] == [1, 2, 4, 8, 16] + [30] * (len(announced) - 5)
    assert [number for _, _, number in announced] == list(range(1, len(announced) + 1))
    starts = world.starts("actions")
    for (noticed, delay, _), started in zip(announced, starts):
        assert started == noticed + delay  # each restart waits exactly its delay
    # Each crash is noticed within one poll interval: the loop keeps watching while it waits.
    for started, (noticed, _, _) in zip(starts, announced[1:]):
        assert started + 0.2 <= noticed <= started + 0.2 + 0.5
    assert world.starts("web") == []


def test_the_delay_starts_over_after_sixty_seconds_up() -> None:
    world = World()
    world.crashing_on_start["worker"] = 5  # crashes 5 s after each start: 1, 2, 4 s…
    world.at(10, world.kill("worker"))
    world.at(40, lambda: world.crashing_on_start.pop("worker"))  # fixed: the next start stays up
    world.at(200, lambda: world.processes["worker"].die(1))  # a new crash long after (> 60 s up)
    world.run_until(260)

    delays = [delay for _, delay, _ in world.announced("worker")]
    up_since = world.starts("worker")[-2]  # the start that stayed up
    assert delays[:4] == [1, 2, 4, 8]
    assert 200 - up_since >= 60
    assert delays[-1] == 1  # stable for more than 60 s: the backoff was reset
    assert world.announced("worker")[-1][2] == len(delays)  # the restart count still goes on
    assert world.starts("worker")[-1] == 201.0


def test_a_crash_before_sixty_seconds_keeps_the_backoff_growing() -> None:
    world = World()
    world.at(10, world.kill("web"))  # restarted at 11 s
    world.at(50, world.kill("web"))  # 39 s later: not stable yet
    world.run_until(80)
    assert [delay for _, delay, _ in world.announced("web")] == [1, 2]


def test_every_dead_process_has_its_own_backoff() -> None:
    world = World()
    world.at(10, world.kill("actions"))
    world.at(10, world.kill("rasa", code=1))
    world.at(10.2, world.kill("worker", code=0))  # even a clean exit is a process gone
    world.run_until(30)
    assert world.starts("actions") == world.starts("rasa") == [11.0]
    assert world.starts("worker") == [11.5]
    assert ("rasa exited with code 1; restarting in 1 s (restart 1)") in [line for _, line in world.lines]
    assert world.starts("web") == []


def test_a_process_that_cannot_even_be_spawned_is_tried_again_with_backoff() -> None:
    world = World()
    attempts = []

    def respawn(name: str) -> FakeProcess:
        attempts.append(world.now)
        if len(attempts) < 3:
            raise OSError("No such file or directory: python")
        return FakeProcess(name)

    world.supervisor.respawn = respawn
    world.at(10, world.kill("actions"))
    world.run_until(40)
    assert attempts == [11.0, 13.0, 17.0]  # 1 s, then 2 s, then 4 s
    assert world.announced("actions")[1][1:] == (2.0, 2)
    assert "could not be started (No such file or directory: python)" in world.lines[1][1]
    assert world.processes["actions"].poll() is None


def test_stop_ends_the_loop_and_nothing_is_restarted_after_it() -> None:
    world = World()
    world.at(10, world.kill("actions"))  # a restart is due at 11 s…
    world.run_until(10.7)  # …but Ctrl-C comes first
    assert world.supervisor.stopping
    assert round(world.now, 2) <= 11.0  # the loop ended within one poll interval of the signal
    assert world.starts("actions") == []

    world.processes["rasa"].die(-15)  # Stack.stop() terminates the children afterwards
    world.supervisor.step()
    world.now += 60
    world.supervisor.step()
    assert world.spawned == []  # a step after stop() restarts nothing, announces nothing
    assert len(world.lines) == 1


def test_stop_during_a_restart_delay_from_a_signal_handler() -> None:
    world = World()
    world.at(10, world.kill("actions"))
    world.at(10.3, world.supervisor.stop)  # SIGTERM arrives while the supervisor waits
    world.run_until(100)
    assert world.starts("actions") == []
    assert world.now < 11.0


def test_run_waits_no_longer_than_the_poll_interval_or_the_next_restart() -> None:
    waits = []
    world = World()
    real_sleep = world.sleep

    def sleep(seconds: float) -> None:
        waits.append(round(seconds, 3))
        real_sleep(seconds)

    world.supervisor.sleep = sleep
    world.supervisor.poll_interval = 5
    world.at(10, world.kill("actions"))
    world.run_until(20)
    assert max(waits) <= 5
    assert world.starts("actions") == [11.0]  # the 5 s poll does not delay a 1 s restart

"""The real action server runs each action in a worker thread: one slow action blocks nobody.

Before actions/threaded_executor.py, rasa-sdk ran every action on the server's event loop,
so a resident whose action did blocking SQL made every other resident wait for it.
"""
from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.action_server.blocking_probe_actions import BLOCK_SECONDS
from tests.action_server.test_action_server_secret import action_server, post, server_env

ACTIONS = "tests.action_server.blocking_probe_actions"


def call(action: str, sender: str) -> bytes:
    return json.dumps({
        "next_action": action, "sender_id": sender, "version": "3.6.21", "domain": {},
        "tracker": {"sender_id": sender, "slots": {}, "latest_message": {}, "events": [], "paused": False},
    }).encode()


LOGS: dict[str, Path] = {}


def server_log(url: str) -> Path:
    """The action server's own log (what it printed), for the slow-path warnings."""
    return LOGS[url]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("threaded-actions")
    with action_server(server_env(tmp_path, SESAME_ACTION_THREADS="4", SESAME_ACTION_BUDGET_MS="500"),
                       actions=ACTIONS) as url:
        LOGS[url] = tmp_path / "actions.log"
        yield url


def timed_post(url: str, body: bytes) -> tuple[int, dict, float, float]:
    start = time.monotonic()
    status, payload = post(url + "/webhook", body)
    return status, payload, start, time.monotonic()


def test_a_quick_action_is_answered_while_another_resident_s_action_blocks(server) -> None:
    with ThreadPoolExecutor(max_workers=2) as pool:
        slow = pool.submit(timed_post, server, call("action_blocking_probe", "slow-resident"))
        time.sleep(0.3)  # the blocking action is running now
        quick_status, quick_body, _, quick_end = timed_post(server, call("action_quick_probe", "quick-resident"))
        slow_status, slow_body, _, slow_end = slow.result()
    assert quick_status == 200 and quick_body["responses"][0]["text"] == "quick for quick-resident"
    assert slow_status == 200 and slow_body["responses"][0]["text"] == "blocking done"
    # The quick answer came back before the blocking action ended, not after it.
    assert quick_end < slow_end - BLOCK_SECONDS / 3, (quick_end, slow_end)


def test_actions_run_in_the_worker_threads_and_return_their_events(server) -> None:
    status, body = post(server + "/webhook", call("action_quick_probe", "threads"))
    assert status == 200
    assert body["events"] == [{"event": "slot", "timestamp": None, "name": "probe_thread",
                               "value": body["events"][0]["value"]}]
    assert body["events"][0]["value"].startswith("action")


def test_async_actions_that_await_threads_still_work(server) -> None:
    for _ in range(3):  # the worker thread's event loop is reused between calls
        status, body = post(server + "/webhook", call("action_async_probe", "async"))
        assert status == 200 and body["responses"][0]["text"] == "async done"


def test_an_unknown_action_is_still_a_client_error(server) -> None:
    status, body = post(server + "/webhook", call("action_that_does_not_exist", "unknown"))
    assert status == 404, body


def test_an_action_that_reads_a_file_on_every_call_is_logged_as_slow_path(server) -> None:
    log_path = server_log(server)
    before = log_path.read_text()
    for _ in range(2):
        status, _ = post(server + "/webhook", call("action_reads_file_probe", "reader"))
        assert status == 200
    added = log_path.read_text()[len(before):]
    warnings = [line for line in added.splitlines() if "slow path: action action_reads_file_probe" in line]
    assert len(warnings) == 1, added  # the first call may load; the second one is flagged
    assert "blocking_probe_actions.py" in warnings[0]


def test_the_blocking_action_is_over_its_budget_on_a_repeated_call(server) -> None:
    log_path = server_log(server)
    before = log_path.read_text()
    for _ in range(2):  # the first call in this process may be the first of this action
        post(server + "/webhook", call("action_blocking_probe", "slow-again"))
    added = log_path.read_text()[len(before):]
    assert "slow path: action action_blocking_probe took" in added, added
    assert "slow path: action action_quick_probe" not in log_path.read_text()

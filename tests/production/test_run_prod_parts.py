"""The parts of `make run-prod` on their own, against real programs: the environment check,
HAProxy's rendered configuration (checked by haproxy itself), the worker's leader election on
a real PostgreSQL, and Rasa's bounded wait for a hung action server (a real socket that never
answers)."""
from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from actions.common.db import make_engine, throwaway_database
from tools import run_prod
from tests.conftest import POSTGRES_ADMIN_URL, require_service

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.production]

GOOD_ENV = {
    "DATABASE_URL": "postgresql://u@h/db", "POSTGRES_HOST": "h", "POSTGRES_PORT": "5432", "POSTGRES_DB": "t",
    "POSTGRES_USER": "u", "POSTGRES_PASSWORD": "", "REDIS_HOST": "h", "REDIS_PORT": "6379", "REDIS_DB": "0",
    "REDIS_PASSWORD": "", "RABBITMQ_HOST": "h", "RABBITMQ_PORT": "5672", "RABBITMQ_USER": "u", "RABBITMQ_PASSWORD": "p",
    "RABBITMQ_QUEUE": "q", "SESAME_ACTION_SECRET": "a" * 64, "SESAME_HASH_SALT": "b" * 64,
}


def test_the_environment_check_names_what_is_missing_and_refuses_weak_secrets() -> None:
    assert run_prod.check_environment(GOOD_ENV) == []
    partial = {k: v for k, v in GOOD_ENV.items()
               if k not in ("REDIS_PASSWORD", "RABBITMQ_PASSWORD", "SESAME_ACTION_SECRET")}
    assert run_prod.check_environment(partial) == ["REDIS_PASSWORD is not set", "RABBITMQ_PASSWORD is not set",
                                                   "SESAME_ACTION_SECRET is not set"]
    weak = {**GOOD_ENV, "SESAME_HASH_SALT": "sesame-dev-salt", "DATABASE_URL": "sqlite:///x.db",
            "SESAME_ACTION_TIMEOUT": "0"}
    problems = " | ".join(run_prod.check_environment(weak))
    assert "SESAME_HASH_SALT must be a random value" in problems
    assert "DATABASE_URL must be a PostgreSQL URL" in problems
    assert "SESAME_ACTION_TIMEOUT must be more than 0" in problems


def test_make_run_prod_without_its_settings_exits_2_and_says_why(tmp_path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in run_prod.REQUIRED}
    env["SESAME_VAR_DIR"] = str(tmp_path)
    done = subprocess.run([sys.executable, "-m", "tools.run_prod"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 2
    assert "SESAME_ACTION_SECRET is not set" in done.stderr and "RABBITMQ_PASSWORD is not set" in done.stderr
    assert "REDIS_PASSWORD is not set" in done.stderr
    assert not list(tmp_path.iterdir()), "nothing may start or be written"


def test_make_bench_prod_has_no_default_login_and_names_what_is_missing() -> None:
    from tools import bench_prod

    with pytest.raises(bench_prod.MissingCredentials, match="RABBITMQ_USER, RABBITMQ_PASSWORD, REDIS_PASSWORD"):
        bench_prod.credentials({})
    logins = {"RABBITMQ_USER": "guest", "RABBITMQ_PASSWORD": "guest", "REDIS_PASSWORD": ""}
    assert bench_prod.credentials(logins) == logins  # given explicitly, as on this machine
    env = {k: v for k, v in os.environ.items() if k not in bench_prod.CREDENTIALS}
    done = subprocess.run([sys.executable, "-m", "tools.bench_prod"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 2 and "RABBITMQ_PASSWORD" in done.stderr, done.stderr
    assert "guest" not in done.stderr


def test_the_rendered_haproxy_configuration_is_valid_for_haproxy(tmp_path) -> None:
    try:
        binary = run_prod.haproxy_binary()
    except run_prod.ProductionConfigError as exc:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(str(exc))
        pytest.skip(str(exc))
    config = run_prod.render_haproxy(bind="127.0.0.1", rasa_port=5005, actions_port=5055, stats_port=8404,
                                     rasa_ports=[5006, 5007], actions_ports=[5056, 5057], action_timeout=1.5)
    assert "server rasa2 127.0.0.1:5007" in config and "server actions2 127.0.0.1:5057" in config
    assert "balance source" in config and "timeout server 2500ms" in config
    path = tmp_path / "haproxy.cfg"
    path.write_text(config)
    checked = subprocess.run([binary, "-c", "-f", str(path)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_one_leader_among_two_workers_and_takeover_when_its_connection_dies() -> None:
    require_service("PostgreSQL", "127.0.0.1", 5432)
    from actions.notifications.leader import LeaderElection

    with throwaway_database(POSTGRES_ADMIN_URL, "sesame_leader") as url:
        first, second = LeaderElection(url, name="w1"), LeaderElection(url, name="w2")
        try:
            assert [first.is_leader(), second.is_leader()] == [True, False]
            assert [first.is_leader(), second.is_leader()] == [True, False]  # it keeps it
            # The leader's session ends as if its process died: PostgreSQL frees the lock.
            admin = make_engine(url)
            with admin.connect() as conn:
                conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                  "WHERE application_name = 'sesame-w1'"))
            admin.dispose()
            time.sleep(0.2)
            assert second.is_leader() is True
            assert first.is_leader() is False and first.last_error == "OperationalError"  # its session is gone
            second.release()  # a clean stop hands over at once
            assert first.is_leader() is True
        finally:
            first.release()
            second.release()


def test_sqlite_has_no_election_the_only_worker_leads(tmp_path) -> None:
    from actions.notifications.leader import LeaderElection

    assert LeaderElection(f"sqlite:///{tmp_path / 'x.db'}").is_leader() is True


def test_a_hung_action_server_is_given_up_after_sesame_action_timeout() -> None:
    """Rasa's RemoteAction against a socket that accepts and never answers (as a SIGSTOPped server)."""
    from rasa.core.actions import action as rasa_action
    from rasa.core.actions.action import RemoteAction
    from rasa.core.channels.channel import CollectingOutputChannel
    from rasa.core.nlg import TemplatedNaturalLanguageGenerator
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.utils.endpoints import EndpointConfig

    from bot.patches import action_timeout

    assert action_timeout.timeout_from({}) is None  # make run keeps Rasa's 300 s
    with pytest.raises(ValueError):
        action_timeout.timeout_from({"SESAME_ACTION_TIMEOUT": "soon"})
    rasa_default = rasa_action.DEFAULT_REQUEST_TIMEOUT
    assert rasa_default == 300

    async def scenario() -> tuple[float, float, float]:
        async def never_answer(reader, writer):  # type: ignore[no-untyped-def]
            await asyncio.sleep(3600)

        server = await asyncio.start_server(never_answer, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        domain = Domain.empty()
        remote = RemoteAction("action_x", EndpointConfig(f"http://127.0.0.1:{port}/webhook"))

        async def call(sender: str) -> float:
            began = time.monotonic()
            with pytest.raises(Exception):
                await remote.run(CollectingOutputChannel(), TemplatedNaturalLanguageGenerator({}),
                                 DialogueStateTracker(sender, []), domain)
            return time.monotonic() - began

        first = await call("s1")
        again = await call("s1")  # the same turn's next custom action: no second wait
        other = await call("s2")  # another conversation waits on its own
        server.close()
        return first, again, other

    rasa_run = RemoteAction.run
    try:
        assert action_timeout.install({"SESAME_ACTION_TIMEOUT": "0.5"}) == 0.5
        first, again, other = asyncio.run(scenario())
    finally:
        rasa_action.DEFAULT_REQUEST_TIMEOUT = rasa_default
        RemoteAction.run = rasa_run  # type: ignore[method-assign]
        action_timeout._installed.clear()
        action_timeout._failed_until.clear()
    assert 0.45 < first < 1.5, first
    assert again < 0.05, again
    assert 0.45 < other < 1.5, other

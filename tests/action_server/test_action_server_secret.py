"""The real action server (python -m actions.server) behind the shared secret Rasa sends.

Each test starts the server in a subprocess on a free port, in production mode
(SESAME_ENV=production). The probe action (tests/action_server/secret_probe_actions.py)
writes a line per run, so "no action ran" is checked, not assumed.
"""
from __future__ import annotations

import asyncio
import json
import os
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest

from actions.server import MIN_SECRET_LENGTH, SECRET_HEADER, SecretConfigError, action_secret
from tools.stack import ROOT, free_port

SECRET = secrets.token_hex(32)


def server_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in {"SESAME_ACTION_SECRET", "SESAME_ENV"}}
    env.update({"SESAME_VAR_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}",
                "SECRET_PROBE_FILE": str(tmp_path / "runs.txt"), "SANIC_HOST": "127.0.0.1",
                "PYTHONUNBUFFERED": "1", "SESAME_HASH_SALT": "a-test-salt-that-is-long-enough-000"})
    env.update(extra)
    return env


def server_args(port: int, actions: str = "tests.action_server.secret_probe_actions") -> list[str]:
    return [sys.executable, "-m", "actions.server", "--actions", actions, "--port", str(port)]


@contextmanager
def action_server(env: dict[str, str], actions: str = "tests.action_server.secret_probe_actions",
                  timeout: float = 90) -> Iterator[str]:
    port = free_port()
    log = open(Path(env["SESAME_VAR_DIR"]) / "actions.log", "wb")
    proc = subprocess.Popen(server_args(port, actions), cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                pytest.fail(f"action server exited with {proc.returncode}: "
                            f"{(Path(env['SESAME_VAR_DIR']) / 'actions.log').read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(url + "/health", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("action server not ready")
                time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def action_call(sender: str) -> bytes:
    return json.dumps({
        "next_action": "action_secret_probe", "sender_id": sender, "version": "3.6.21", "domain": {},
        "tracker": {"sender_id": sender, "slots": {}, "latest_message": {}, "events": [], "paused": False},
    }).encode()


def post(url: str, body: bytes, headers: dict[str, str] | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def runs(tmp_path: Path) -> list[str]:
    path = tmp_path / "runs.txt"
    return path.read_text().split() if path.exists() else []


@pytest.fixture(scope="module")
def production_server(tmp_path_factory) -> Iterator[tuple[str, Path]]:
    tmp_path = tmp_path_factory.mktemp("actions-prod")
    with action_server(server_env(tmp_path, SESAME_ENV="production", SESAME_ACTION_SECRET=SECRET)) as url:
        yield url, tmp_path


def test_a_call_without_the_header_is_refused_and_runs_nothing(production_server) -> None:
    url, tmp_path = production_server
    status, body = post(url + "/webhook", action_call("no-header"))
    assert status == 401 and SECRET_HEADER in body["error"]
    assert "no-header" not in runs(tmp_path)


def test_a_call_with_a_wrong_secret_is_refused_and_runs_nothing(production_server) -> None:
    url, tmp_path = production_server
    for wrong in ("", SECRET[:-1], SECRET + "x", "x" * len(SECRET)):
        status, _ = post(url + "/webhook", action_call("wrong-secret"), {SECRET_HEADER: wrong})
        assert status == 403, wrong
    assert "wrong-secret" not in runs(tmp_path)


def test_a_call_with_the_secret_runs_the_action(production_server) -> None:
    url, tmp_path = production_server
    status, body = post(url + "/webhook", action_call("with-secret"), {SECRET_HEADER: SECRET})
    assert status == 200
    assert body["responses"][0]["text"] == "probe ran"
    assert runs(tmp_path).count("with-secret") == 1


def test_health_stays_open_and_the_action_list_does_not(production_server) -> None:
    url, _ = production_server
    with urllib.request.urlopen(url + "/health", timeout=5) as response:
        assert response.status == 200 and json.loads(response.read()) == {"status": "ok"}
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(url + "/actions", timeout=5)
    assert refused.value.code == 401


def test_rasa_endpoint_config_from_endpoints_production_yml_sends_the_secret(production_server, monkeypatch) -> None:
    """Rasa's own EndpointConfig, read from endpoints.production.yml, is let in (and the header is what lets it in)."""
    from rasa.utils.endpoints import read_endpoint_config

    url, tmp_path = production_server
    for name in ("POSTGRES_HOST", "POSTGRES_PORT", "POSTGRES_DB", "POSTGRES_USER", "POSTGRES_PASSWORD",
                 "REDIS_HOST", "REDIS_PORT", "REDIS_DB", "RABBITMQ_HOST", "RABBITMQ_PORT", "RABBITMQ_USER",
                 "RABBITMQ_PASSWORD", "RABBITMQ_QUEUE"):
        monkeypatch.setenv(name, "unused")
    monkeypatch.setenv("ACTION_ENDPOINT_URL", url + "/webhook")
    monkeypatch.setenv("SESAME_ACTION_SECRET", SECRET)
    endpoint = read_endpoint_config(str(ROOT / "endpoints.production.yml"), "action_endpoint")
    assert endpoint.headers == {SECRET_HEADER: SECRET}
    result = asyncio.run(endpoint.request(json=json.loads(action_call("rasa-endpoint")), method="post"))
    assert result["responses"][0]["text"] == "probe ran"
    assert "rasa-endpoint" in runs(tmp_path)


def test_endpoints_yml_reads_an_unset_secret_as_empty(monkeypatch) -> None:
    """The stack exports SESAME_ACTION_SECRET="" when none is set: Rasa still reads endpoints.yml."""
    from rasa.utils.endpoints import read_endpoint_config

    monkeypatch.setenv("ACTION_ENDPOINT_URL", "http://127.0.0.1:5055/webhook")
    monkeypatch.setenv("SESAME_TRACKER_DB", "/tmp/unused.db")
    monkeypatch.setenv("SESAME_ACTION_SECRET", "")
    endpoint = read_endpoint_config(str(ROOT / "endpoints.yml"), "action_endpoint")
    assert endpoint.headers == {SECRET_HEADER: ""}


@pytest.mark.parametrize("secret, reason", [(None, "is not set"), ("", "is not set"),
                                            ("s" * (MIN_SECRET_LENGTH - 1), "characters long")])
def test_production_refuses_to_start_without_a_long_secret(tmp_path, secret, reason) -> None:
    extra = {"SESAME_ENV": "production"}
    if secret is not None:
        extra["SESAME_ACTION_SECRET"] = secret
    done = subprocess.run(server_args(free_port()), cwd=ROOT, env=server_env(tmp_path, **extra),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "SESAME_ENV=production" in done.stderr and reason in done.stderr
    assert "SESAME_ACTION_SECRET" in done.stderr


def test_the_real_registry_starts_behind_the_secret(tmp_path) -> None:
    """actions.registry, as the stack starts it: health open, a call without the header refused."""
    env = server_env(tmp_path, SESAME_ENV="production", SESAME_ACTION_SECRET=SECRET)
    with action_server(env, actions="actions.registry") as url:
        status, _ = post(url + "/webhook", json.dumps({"next_action": "action_search_service",
                                                        "tracker": {"sender_id": "x"}}).encode())
        assert status == 401
        status, body = post(url + "/webhook", json.dumps({"next_action": "action_does_not_exist",
                                                           "tracker": {"sender_id": "x"}}).encode(),
                            {SECRET_HEADER: SECRET})
        assert status == 404 and body["action_name"] == "action_does_not_exist"


def test_development_without_a_secret_stays_open() -> None:
    assert action_secret({}) is None
    assert action_secret({"SESAME_ENV": "development", "SESAME_ACTION_SECRET": "  "}) is None
    assert action_secret({"SESAME_ACTION_SECRET": "short"}) == "short"
    with pytest.raises(SecretConfigError):
        action_secret({"SESAME_ENV": "Production"})
    assert action_secret({"SESAME_ENV": "production", "SESAME_ACTION_SECRET": SECRET}) == SECRET


def test_no_secret_is_written_in_the_endpoint_files() -> None:
    for name in ("endpoints.yml", "endpoints.production.yml"):
        assert f"{SECRET_HEADER}: ${{SESAME_ACTION_SECRET}}" in (ROOT / name).read_text()


def test_the_stack_passes_the_secret_through_and_never_invents_one(tmp_path, monkeypatch) -> None:
    from tools.stack import Stack

    monkeypatch.delenv("SESAME_ACTION_SECRET", raising=False)
    assert Stack(model=tmp_path / "m", var_dir=tmp_path).env()["SESAME_ACTION_SECRET"] == ""
    monkeypatch.setenv("SESAME_ACTION_SECRET", SECRET)
    assert Stack(model=tmp_path / "m", var_dir=tmp_path).env()["SESAME_ACTION_SECRET"] == SECRET


def test_production_refuses_the_development_hash_salt() -> None:
    import pytest

    from actions.server import SecretConfigError, check_hash_salt

    for salt in ("", "sesame-dev-salt", "short"):
        with pytest.raises(SecretConfigError, match="SESAME_HASH_SALT"):
            check_hash_salt({"SESAME_ENV": "production", "SESAME_HASH_SALT": salt})
    check_hash_salt({"SESAME_ENV": "production", "SESAME_HASH_SALT": "x" * 40})
    check_hash_salt({"SESAME_HASH_SALT": ""})  # development keeps its default

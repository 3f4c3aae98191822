"""The deployment files for the city's IT (deploy/): they parse, every long-running process has
its health probes, and no secret value is committed.

No docker engine nor Kubernetes cluster runs where these tests run: this checks the files,
not a deployment (deploy/README.md says what was and was not run).
"""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tools import run_prod

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
SECRET_NAME = re.compile(r"PASSWORD|PASS$|SECRET|TOKEN|SALT", re.I)
# A compose value for a secret may only be a reference to the environment.
ENV_REFERENCE = re.compile(r"^\$\{[A-Z_]+(:[?-][^}]*)?\}$")
SESAME_SERVICES = {"rasa1", "rasa2", "actions1", "actions2", "web", "worker1", "worker2"}


def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def manifests() -> list[dict]:
    documents = []
    for path in sorted((DEPLOY / "k8s").glob("*.yaml")):
        documents += [doc for doc in yaml.safe_load_all(path.read_text()) if doc]
    return documents


def containers(doc: dict) -> list[dict]:
    spec = doc.get("spec", {})
    template = spec.get("template") or spec.get("jobTemplate", {}).get("spec", {}).get("template", {})
    return template.get("spec", {}).get("containers", [])


def test_compose_has_the_whole_topology_and_a_healthcheck_for_each_long_running_service() -> None:
    services = compose()["services"]
    assert SESAME_SERVICES | {"postgres", "redis", "rabbitmq", "haproxy", "seed"} <= set(services)
    for name, service in services.items():
        if name == "seed":  # one-shot migrations
            assert service.get("restart") == "no"
            continue
        assert "healthcheck" in service and service["healthcheck"].get("test"), name
    for name in ("rasa1", "rasa2"):
        assert "endpoints.production.yml" in " ".join(services[name]["command"])
    assert services["worker1"]["environment"]["SESAME_WORKER_HEALTH_PORT"] == "8101"
    assert services["rasa1"]["environment"]["ACTION_ENDPOINT_URL"] == "http://haproxy:5055/webhook"


def test_compose_takes_every_secret_from_the_environment() -> None:
    for name, service in compose()["services"].items():
        for key, value in (service.get("environment") or {}).items():
            if SECRET_NAME.search(key) or "://" in str(value) and "@" in str(value):
                if "://" in str(value):  # a URL with credentials: the password part is a reference
                    assert re.search(r":\$\{[A-Z_]+:\?[^}]*\}@", str(value)), (name, key)
                else:
                    assert ENV_REFERENCE.match(str(value)), f"{name}: {key} has a literal value"


def test_compose_haproxy_configuration_is_the_rendered_template() -> None:
    assert (DEPLOY / "haproxy-compose.cfg").read_text() == run_prod.render_compose_haproxy(), (
        "regenerate: .venv/bin/python -m tools.run_prod --render-compose-haproxy > deploy/haproxy-compose.cfg")


def test_every_kubernetes_container_has_readiness_and_liveness_probes() -> None:
    docs = manifests()
    kinds = {(d["kind"], d["metadata"]["name"]) for d in docs}
    for expected in [("Deployment", "sesame-rasa"), ("Deployment", "sesame-actions"), ("Deployment", "sesame-web"),
                     ("Deployment", "sesame-worker"), ("StatefulSet", "sesame-postgres"),
                     ("Deployment", "sesame-redis"), ("StatefulSet", "sesame-rabbitmq"), ("Job", "sesame-seed")]:
        assert expected in kinds
    replicas = {d["metadata"]["name"]: d["spec"].get("replicas") for d in docs if d["kind"] == "Deployment"}
    assert replicas["sesame-rasa"] == 2 and replicas["sesame-actions"] == 2 and replicas["sesame-worker"] == 2
    for doc in docs:
        if doc["kind"] not in ("Deployment", "StatefulSet"):
            continue
        for container in containers(doc):
            assert "readinessProbe" in container and "livenessProbe" in container, doc["metadata"]["name"]
    sticky = next(d for d in docs if d["kind"] == "Ingress" and d["metadata"]["name"] == "sesame-socketio")
    assert sticky["metadata"]["annotations"]["nginx.ingress.kubernetes.io/affinity"] == "cookie"


def test_kubernetes_takes_every_secret_from_a_secret_and_commits_none() -> None:
    for doc in manifests():
        assert doc["kind"] != "Secret", "a Secret with values is created outside git (deploy/README.md)"
        for container in containers(doc):
            for entry in container.get("env", []):
                if SECRET_NAME.search(entry["name"]):
                    assert "secretKeyRef" in entry.get("valueFrom", {}), f"{entry['name']} is not from a Secret"
                if "value" in entry and "://" in entry["value"] and "@" in entry["value"]:
                    assert "$(POSTGRES_PASSWORD)" in entry["value"], entry["name"]
        for key, value in (doc.get("data") or {}).items() if doc["kind"] == "ConfigMap" else []:
            assert not SECRET_NAME.search(key), f"secret-like {key} in ConfigMap {doc['metadata']['name']}"


def test_no_file_in_deploy_holds_a_secret_looking_value() -> None:
    hexish = re.compile(r"\b[0-9a-f]{32,}\b")
    for path in DEPLOY.rglob("*"):
        if path.is_file():
            assert not hexish.search(path.read_text()), f"{path} holds what looks like a generated secret"


def test_the_compose_haproxy_configuration_is_valid_for_haproxy(tmp_path) -> None:
    binary = shutil.which("haproxy") or "/usr/sbin/haproxy"
    if not Path(binary).exists():
        pytest.skip("HAProxy is not installed (make haproxy)")
    checked = subprocess.run([binary, "-c", "-f", str(DEPLOY / "haproxy-compose.cfg")], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr

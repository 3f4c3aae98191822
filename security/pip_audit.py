"""`make audit`: pip-audit over the pinned dependencies (constraints.txt), with justified ignores.

    python security/pip_audit.py            # what `make audit` runs

* pip-audit runs from its own virtual environment, .venv/audit-tool (created on first use
  from security/audit-requirements.txt): it needs packaging>=23, Rasa 3.6 pins packaging<21,
  so it cannot be installed in .venv next to Rasa.
* It audits constraints.txt exactly as pinned (--no-deps --disable-pip): nothing is resolved
  or installed for the audit.
* Advisories to accept and packages no service can know are listed in
  security/pip-audit-ignore.txt, each with its reason.
* pip-audit asks a vulnerability service at run time (PyPI's JSON API, else OSV). When
  neither answers, the audit is SKIPPED with that reason and exits 0, in CI too: a machine
  without that access cannot audit, and saying "no known vulnerabilities" there would be
  false (pip-audit itself would print exactly that after skipping every package). Set
  SESAME_AUDIT_REQUIRED=1 to make an unreachable service a failure.
* When a service answers: any advisory not ignored, or any package it could not audit and
  that is not declared with --skip-package, fails the audit (exit 1).
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
REQUIREMENTS = ROOT / "constraints.txt"
IGNORE_FILE = HERE / "pip-audit-ignore.txt"
TOOL_REQUIREMENTS = HERE / "audit-requirements.txt"
TOOL_VENV = ROOT / ".venv" / "audit-tool"
PROBE_TIMEOUT = 10

_ENTRY = re.compile(r"^--(?P<kind>ignore-vuln|skip-package)\s+(?P<value>\S+)\s+#\s*(?P<reason>\S.*)$")


class AuditError(RuntimeError):
    """The audit could not run, or its configuration is wrong."""


@dataclass(frozen=True)
class Ignores:
    vulns: dict[str, str] = field(default_factory=dict)  # advisory id -> reason
    packages: dict[str, str] = field(default_factory=dict)  # normalized name -> reason


def normalize_name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def read_ignores(path: Path = IGNORE_FILE) -> Ignores:
    """Parse the ignore file; AuditError for a line that is not a justified entry."""
    vulns: dict[str, str] = {}
    packages: dict[str, str] = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _ENTRY.match(line)
        if not match:
            raise AuditError(f"{path.name}:{number}: expected '--ignore-vuln ID  # reason' or "
                             f"'--skip-package NAME  # reason', got {raw!r}")
        if match["kind"] == "ignore-vuln":
            vulns[match["value"]] = match["reason"].strip()
        else:
            packages[normalize_name(match["value"])] = match["reason"].strip()
    return Ignores(vulns, packages)


def pinned(path: Path = REQUIREMENTS) -> list[tuple[str, str]]:
    """(name, version) of each `name==version` line."""
    pins = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name, version = line.split("==", 1)
            pins.append((name.strip(), version.strip()))
    return pins


def _get_json(request: urllib.request.Request) -> dict:
    with urllib.request.urlopen(request, timeout=PROBE_TIMEOUT) as response:
        return json.loads(response.read())


def probe_service(name: str, version: str) -> tuple[Optional[str], list[str]]:
    """The first vulnerability service that answers for one pinned package, and why others did not."""
    failures = []
    try:
        body = _get_json(urllib.request.Request(f"https://pypi.org/pypi/{name}/{version}/json"))
        if "vulnerabilities" in body:
            return "pypi", failures
        failures.append("PyPI's JSON API answered without a 'vulnerabilities' field")
    except (urllib.error.URLError, OSError, ValueError) as error:
        failures.append(f"PyPI's JSON API (pypi.org/pypi/{name}/{version}/json): {_reason(error)}")
    try:
        query = json.dumps({"package": {"name": name, "ecosystem": "PyPI"}, "version": version}).encode()
        _get_json(urllib.request.Request("https://api.osv.dev/v1/query", data=query,
                                         headers={"Content-Type": "application/json"}))
        return "osv", failures
    except (urllib.error.URLError, OSError, ValueError) as error:
        failures.append(f"OSV (api.osv.dev): {_reason(error)}")
    return None, failures


def _reason(error: BaseException) -> str:
    if isinstance(error, urllib.error.HTTPError):
        return f"HTTP {error.code}"
    if isinstance(error, urllib.error.URLError):
        return str(error.reason)
    return str(error) or type(error).__name__


def ensure_tool(venv: Path = TOOL_VENV, requirements: Path = TOOL_REQUIREMENTS) -> Path:
    """pip-audit in its own venv, (re)installed when audit-requirements.txt changed."""
    stamp = venv / f".installed-{hashlib.sha256(requirements.read_bytes()).hexdigest()[:12]}"
    tool = venv / "bin" / "pip-audit"
    if stamp.exists() and tool.exists():
        return tool
    if not (venv / "bin" / "python").exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    done = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "-r", str(requirements)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise AuditError(f"could not install pip-audit into {venv}:\n{done.stdout}{done.stderr}")
    for old in venv.glob(".installed-*"):
        old.unlink()
    stamp.touch()
    return tool


@dataclass
class Report:
    vulnerable: list[str] = field(default_factory=list)  # "name version: ID (fix: …)"
    unaudited: list[str] = field(default_factory=list)  # "name: reason"
    ignored: list[str] = field(default_factory=list)
    stale_ignores: list[str] = field(default_factory=list)
    audited: int = 0

    @property
    def ok(self) -> bool:
        return not self.vulnerable and not self.unaudited


def interpret(result: dict, ignores: Ignores) -> Report:
    """Read pip-audit's JSON output against the ignore file."""
    report = Report()
    seen: set[str] = set()
    for dependency in result.get("dependencies", []):
        name, version = dependency.get("name", "?"), dependency.get("version", "?")
        if "skip_reason" in dependency:
            if normalize_name(name) not in ignores.packages:
                report.unaudited.append(f"{name}: {dependency['skip_reason']}")
            continue
        report.audited += 1
        for vuln in dependency.get("vulns", []):
            ids = [vuln["id"], *vuln.get("aliases", [])]
            accepted = next((i for i in ids if i in ignores.vulns), None)
            if accepted:
                seen.add(accepted)
                report.ignored.append(f"{name} {version}: {vuln['id']} ({ignores.vulns[accepted]})")
            else:
                fix = ", ".join(vuln.get("fix_versions", [])) or "no fixed version yet"
                report.vulnerable.append(f"{name} {version}: {vuln['id']} (fixed in: {fix})")
    report.stale_ignores = sorted(set(ignores.vulns) - seen)
    return report


def run_audit(tool: Path, service: str, ignores: Ignores, requirements: Path = REQUIREMENTS) -> Report:
    with tempfile.TemporaryDirectory() as tmp:
        output = Path(tmp) / "audit.json"
        args = [str(tool), "-r", str(requirements), "--no-deps", "--disable-pip", "--progress-spinner", "off",
                "-s", service, "-f", "json", "-o", str(output), "--timeout", "30",
                "--cache-dir", str(tool.parent.parent / "cache")]
        # The --ignore-vuln entries are applied by interpret(), not by pip-audit: accepted
        # advisories stay listed, and an entry that matches nothing any more is reported.
        done = subprocess.run(args, capture_output=True, text=True)
        if not output.exists():
            raise AuditError(f"pip-audit exited with {done.returncode} and no report:\n{done.stderr[-3000:]}")
        result = json.loads(output.read_text())
    return interpret(result, ignores)


def main() -> int:
    ignores = read_ignores()
    pins = pinned()
    probe = next(((n, v) for n, v in pins if normalize_name(n) not in ignores.packages), None)
    if probe is None:
        raise AuditError(f"no pinned package in {REQUIREMENTS}")
    service, failures = probe_service(*probe)
    if service is None:
        reason = "no vulnerability service is reachable from this machine: " + "; ".join(failures)
        if os.environ.get("SESAME_AUDIT_REQUIRED", "") not in {"", "0"}:
            print(f"audit FAILED: {reason} (SESAME_AUDIT_REQUIRED is set)", flush=True)
            return 1
        print(f"audit SKIPPED: {reason}. Nothing was audited; run `make audit` where PyPI's JSON API "
              "or OSV answers (SESAME_AUDIT_REQUIRED=1 turns this skip into a failure).", flush=True)
        return 0
    tool = ensure_tool()
    report = run_audit(tool, service, ignores)
    print(f"audit ({service}): {report.audited} packages audited from {REQUIREMENTS.name}, "
          f"{len(ignores.packages)} declared unauditable, {len(report.ignored)} accepted advisories.")
    for line in report.ignored:
        print(f"  accepted: {line}")
    for line in report.vulnerable:
        print(f"  VULNERABLE: {line}")
    for vuln in report.stale_ignores:
        print(f"  note: {vuln} is accepted in {IGNORE_FILE.name} but no longer reported: remove it")
    for line in report.unaudited:
        print(f"  NOT AUDITED: {line} (fix it, or declare it with --skip-package and a reason)")
    if report.ok:
        print("audit passed: no known vulnerability outside security/pip-audit-ignore.txt.")
        return 0
    print("audit FAILED: upgrade the package in constraints.txt, or accept the advisory in "
          "security/pip-audit-ignore.txt with its reason.")
    return 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except AuditError as error:
        print(f"audit FAILED: {error}", file=sys.stderr)
        sys.exit(1)

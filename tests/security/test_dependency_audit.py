"""`make audit` (security/pip_audit.py): the real audit where a vulnerability service answers,
and its judgement checked offline on pip-audit's own JSON format.

The real audit skips, with the reason, where neither PyPI's JSON API nor OSV is reachable
(the case on the project's machines today): then nothing is audited, and the test says so
instead of passing as if it had.
"""
from __future__ import annotations

import importlib.util
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "security" / "pip_audit.py"


def load_audit():
    spec = importlib.util.spec_from_file_location("sesame_pip_audit", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve their module by name
    spec.loader.exec_module(module)
    return module


audit = load_audit()


def test_every_ignored_advisory_and_package_has_a_reason() -> None:
    ignores = audit.read_ignores()
    for vuln, reason in {**ignores.vulns, **ignores.packages}.items():
        assert len(reason) >= 20, f"{vuln}: a reason of a few words at least"
    pinned = {audit.normalize_name(name) for name, _ in audit.pinned()}
    assert set(ignores.packages) <= pinned, "a --skip-package names a package that is no longer pinned"


@pytest.mark.parametrize("line", ["--ignore-vuln GHSA-1234", "--ignore-vuln GHSA-1234  #", "ignore GHSA-1 # why",
                                  "--skip-package  # why"])
def test_an_entry_without_its_reason_is_refused(tmp_path, line) -> None:
    path = tmp_path / "ignore.txt"
    path.write_text(f"# comment\n\n{line}\n")
    with pytest.raises(audit.AuditError, match="ignore.txt:3"):
        audit.read_ignores(path)


def test_pip_audit_is_pinned_outside_the_rasa_venv() -> None:
    """pip-audit needs packaging>=23; Rasa 3.6 pins packaging<21 (constraints.txt)."""
    tool = (ROOT / "security" / "audit-requirements.txt").read_text()
    assert any(line.startswith("pip_audit==") or line.startswith("pip-audit==") for line in tool.splitlines())
    assert all("==" in line for line in tool.splitlines() if line and not line.startswith("#"))
    assert "packaging==20.9" in (ROOT / "constraints.txt").read_text()


def ignores_with(vulns: dict[str, str] | None = None):
    return audit.Ignores(vulns or {}, {"fr-core-news-md": "spaCy model, not on PyPI"})


def test_a_report_where_every_package_was_skipped_is_not_a_pass() -> None:
    """What pip-audit prints here ("No known vulnerabilities found") after auditing nothing."""
    result = {"dependencies": [
        {"name": "aiohttp", "skip_reason": "Dependency not found on PyPI and could not be audited: aiohttp (3.9.5)"},
        {"name": "fr-core-news-md", "skip_reason": "Dependency not found on PyPI and could not be audited"},
    ], "fixes": []}
    report = audit.interpret(result, ignores_with())
    assert not report.ok and report.audited == 0
    assert report.unaudited == [f"aiohttp: {result['dependencies'][0]['skip_reason']}"]


def test_vulnerabilities_fail_unless_accepted_with_a_reason() -> None:
    result = {"dependencies": [
        {"name": "sanic", "version": "21.12.2", "vulns": [
            {"id": "PYSEC-0000-1", "aliases": ["GHSA-aaaa-bbbb-cccc"], "fix_versions": ["22.0.0"]}]},
        {"name": "requests", "version": "2.0", "vulns": [{"id": "GHSA-dddd-eeee-ffff", "fix_versions": []}]},
        {"name": "fr-core-news-md", "skip_reason": "not found"},
    ]}
    report = audit.interpret(result, ignores_with({"GHSA-aaaa-bbbb-cccc": "only the unused Sanic app server",
                                                   "GHSA-gone": "fixed by the last upgrade"}))
    assert report.audited == 2 and not report.unaudited
    assert report.ignored == ["sanic 21.12.2: PYSEC-0000-1 (only the unused Sanic app server)"]
    assert report.vulnerable == ["requests 2.0: GHSA-dddd-eeee-ffff (fixed in: no fixed version yet)"]
    assert report.stale_ignores == ["GHSA-gone"] and not report.ok


def test_run_audit_reads_pip_audit_json(tmp_path) -> None:
    """run_audit() hands pip-audit the pinned file and reads the JSON it writes (a stand-in tool here)."""
    tool = tmp_path / "venv" / "bin" / "pip-audit"
    tool.parent.mkdir(parents=True)
    tool.write_text("#!/bin/sh\n"
                    "echo \"$@\" > \"$(dirname \"$0\")/args\"\n"
                    "while [ \"$1\" != \"-o\" ]; do shift; done\n"
                    "echo '{\"dependencies\": [{\"name\": \"six\", \"version\": \"1.16.0\", \"vulns\": []}]}' > \"$2\"\n"
                    "exit 0\n")
    tool.chmod(tool.stat().st_mode | stat.S_IEXEC)
    requirements = tmp_path / "constraints.txt"
    requirements.write_text("six==1.16.0\n")
    report = audit.run_audit(tool, "pypi", ignores_with(), requirements)
    assert report.ok and report.audited == 1
    args = (tool.parent / "args").read_text().split()
    assert args[:2] == ["-r", str(requirements)] and "--no-deps" in args and "--disable-pip" in args
    assert args[args.index("-s") + 1] == "pypi"


def test_the_dependencies_have_no_known_vulnerability() -> None:
    """The real audit of constraints.txt, or a skip that names the unreachable services."""
    name, version = next((n, v) for n, v in audit.pinned()
                         if audit.normalize_name(n) not in audit.read_ignores().packages)
    service, failures = audit.probe_service(name, version)
    if service is None:
        reason = "pip-audit not run: no vulnerability service reachable (" + "; ".join(failures) + ")"
        if os.environ.get("SESAME_AUDIT_REQUIRED", "") not in {"", "0"}:
            pytest.fail(reason + " and SESAME_AUDIT_REQUIRED is set")
        pytest.skip(reason)
    done = subprocess.run([sys.executable, str(SCRIPT)], cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "audit passed" in done.stdout

"""The benchmark still runs end to end and keeps one latest run per backend (a smoke test)."""
from __future__ import annotations

import json

from actions.catalogue.bench import run, write_report


def test_bench_runs_and_reports_per_backend(tmp_path):
    result = run(f"sqlite:///{tmp_path / 'bench.db'}", services=20, repeats=1)
    assert result["backend"] == "sqlite"
    assert result["queries"] >= 40
    assert 0 < result["p50_ms"] <= result["p95_ms"] <= result["max_ms"]
    assert result["rebuild_median_ms"] > 0
    out = tmp_path / "bench-catalogue.json"
    write_report(result, out)
    write_report({**result, "backend": "postgresql"}, out)
    write_report(result, out)
    assert sorted(json.loads(out.read_text(encoding="utf-8"))["runs"]) == ["postgresql", "sqlite"]

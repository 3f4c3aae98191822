"""Relevance: for residents' own phrasings, the right service is among the 3 answers.

The score is written to reports/catalogue-relevance.json so its evolution can be followed.
"""
from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import yaml

from actions.catalogue.needs import understand
from actions.catalogue.search import search

HERE = Path(__file__).parent
REPORT = HERE.parents[1] / "reports" / "catalogue-relevance.json"
THRESHOLD = 0.90
AT = datetime(2026, 11, 24, 10, 0)


def test_relevance_top3(sqlite_seeded):
    cases = yaml.safe_load((HERE / "relevance.yml").read_text(encoding="utf-8"))["cas"]
    assert len(cases) >= 40
    details = []
    for case in cases:
        result = search(understand(case["phrase"]), engine=sqlite_seeded, limit=3, at=AT)
        got = [hit.service.id for hit in result.hits]
        details.append({
            "phrase": case["phrase"],
            "attendu": case["attendu"],
            "top3": got,
            "ok": any(expected in got for expected in case["attendu"]),
        })
    score = sum(d["ok"] for d in details) / len(details)
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps({
        "cases": len(details),
        "top3_hit_rate": round(score, 4),
        "threshold": THRESHOLD,
        "failures": [d for d in details if not d["ok"]],
        "details": details,
    }, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    misses = "\n".join(f"{d['phrase']!r}: {d['top3']} (attendu {d['attendu']})" for d in details if not d["ok"])
    assert score >= THRESHOLD, f"top-3 hit rate {score:.0%} < {THRESHOLD:.0%}\n{misses}"

"""Headless Debian Chromium through Playwright, and axe-core (vendored) for WCAG checks."""
from __future__ import annotations

import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest

AXE_JS = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def require_chromium() -> str:
    path = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    if not path:
        import os

        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("Debian's chromium is required (make browser)")
        pytest.skip("Debian's chromium is not installed (make browser)")
    return path


@contextmanager
def chromium() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    path = require_chromium()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def axe_violations(page) -> list[dict]:
    """Run axe-core (WCAG 2.x A/AA tags) on the page; returns the violations, summarised."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n;undefined")
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    assert len(result["passes"]) > 10, "axe did not really run"
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5],
         "summary": v["nodes"][0].get("failureSummary", "") if v["nodes"] else ""}
        for v in result["violations"]
    ]

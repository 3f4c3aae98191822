"""Conversation tests: every rule and story, replayed through the trained model."""
from __future__ import annotations

import pytest

from tests.rasa.rasa_cli import ROOT, rasa

pytestmark = pytest.mark.rasa


def test_test_stories_pass_without_prediction_errors(trained_model) -> None:
    out = ROOT / "reports" / "core"
    result = rasa("test", "core", "--model", str(trained_model), "--stories", "tests/stories",
                  "--out", str(out), "--fail-on-prediction-errors")
    failed = out / "failed_test_stories.yml"
    details = failed.read_text()[:4000] if failed.exists() else result.stdout[-3000:] + result.stderr[-3000:]
    assert result.returncode == 0, f"conversation tests failed:\n{details}"

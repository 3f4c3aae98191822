"""`rasa data validate` must pass; each warning it still prints must be explained here."""
from __future__ import annotations

import re

import pytest

from tests.rasa.rasa_cli import TRAINING_DATA, rasa

pytestmark = pytest.mark.rasa

# Warnings Rasa prints that are understood and accepted, with the reason.
EXPLAINED = {
    # Rasa warns when a response or action is only used from custom action code (not in stories).
    r"The utterance '(utter_ask_rephrase|utter_fallback_sorry)' is not used in any story or rule":
        "sent by action_sesame_fallback, not by a story",
}


def test_training_data_and_domain_are_consistent() -> None:
    result = rasa("data", "validate", "--domain", "domain.yml", "--data", *TRAINING_DATA,
                  "--config", "config.yml", timeout=600)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    warnings = [
        line for line in output.splitlines()
        if "UserWarning" in line or " - WARNING " in line or "warning" in line.lower() and "rasa" in line.lower()
    ]
    unexplained = [w for w in warnings if not any(re.search(p, w) for p in EXPLAINED)]
    assert not unexplained, "unexplained validation warnings:\n" + "\n".join(unexplained)

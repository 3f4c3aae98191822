"""One action for tests/action_server/test_action_server_secret.py: it records each run in a file.

Loaded by the real action server (``python -m actions.server --actions
tests.action_server.secret_probe_actions``) so a test can tell whether a call ran an action.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher


class ActionSecretProbe(Action):
    def name(self) -> str:
        return "action_secret_probe"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        with Path(os.environ["SECRET_PROBE_FILE"]).open("a", encoding="utf-8") as runs:
            runs.write(tracker.sender_id + "\n")
        dispatcher.utter_message(text="probe ran")
        return []

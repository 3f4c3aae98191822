"""Actions for tests/action_server/test_threaded_executor.py: one blocks its thread, others are quick.

Loaded by the real action server (``python -m actions.server --actions
tests.action_server.blocking_probe_actions``). ``action_blocking_probe`` sleeps without awaiting,
as a slow SQL query or a file read would; ``action_quick_probe`` answers at once;
``action_async_probe`` awaits ``asyncio.to_thread`` as the catalogue actions do.
"""
from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

BLOCK_SECONDS = 1.5


class ActionBlockingProbe(Action):
    def name(self) -> str:
        return "action_blocking_probe"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        time.sleep(BLOCK_SECONDS)
        dispatcher.utter_message(text="blocking done")
        return []


class ActionQuickProbe(Action):
    def name(self) -> str:
        return "action_quick_probe"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        dispatcher.utter_message(text=f"quick for {tracker.sender_id}")
        return [SlotSet("probe_thread", threading.current_thread().name)]


class ActionAsyncProbe(Action):
    def name(self) -> str:
        return "action_async_probe"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        text = await asyncio.to_thread(lambda: "async done")
        dispatcher.utter_message(text=text)
        return []


class ActionReadsFileProbe(Action):
    """Re-reads a file on every call: the regression the slow-path guard must catch."""

    def name(self) -> str:
        return "action_reads_file_probe"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        text = await asyncio.to_thread(lambda: open(__file__, encoding="utf-8").readline())
        dispatcher.utter_message(text=f"read {len(text)} characters")
        return []

"""The Rasa actions as the action server runs them: real tracker, real database, kind failures."""
from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.catalogue.actions import ActionSearchServices
from actions.continuation.actions import ActionContinue
from actions.catalogue.seed import load_seed
from actions.common.db import get_engine, make_engine
from actions.common.settings import reset_settings_cache


@pytest.fixture
def configured_db(monkeypatch, sqlite_url):
    """Point the action server's settings at a seeded database, as DATABASE_URL does."""
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    reset_settings_cache()
    get_engine.cache_clear()
    engine = make_engine(sqlite_url)
    load_seed(engine)
    engine.dispose()
    yield sqlite_url
    reset_settings_cache()
    get_engine.cache_clear()


def tracker(text: str, entities: list | None = None, slots: dict | None = None) -> Tracker:
    return Tracker(
        sender_id="test",
        slots=slots or {},
        latest_message={"text": text, "entities": entities or [], "intent": {"name": "search_service"}},
        events=[],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


def run(action, tr: Tracker) -> tuple[list[dict], list[dict]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tr, {}))
    return dispatcher.messages, events


def test_search_then_more(configured_db):
    messages, events = run(ActionSearchServices(), tracker("/search_service", [{"entity": "public", "value": "seniors"}]))
    assert [m["response"] for m in messages] == ["utter_catalogue_results", "utter_catalogue_next_steps_more"]
    assert messages[0]["cartes"].startswith("1. ")
    slots = {e["name"]: e["value"] for e in events}
    assert slots["catalogue_filtres"] == {"public": "seniors"}
    messages, events = run(ActionContinue(), tracker("voir plus", slots=slots))
    assert messages[0]["cartes"].startswith("4. ")
    assert {e["name"]: e["value"] for e in events}["catalogue_offset"] == 3.0


def test_more_without_a_previous_search_asks_the_need(configured_db):
    messages, _ = run(ActionContinue(), tracker("voir plus"))
    assert messages[0]["response"] == "utter_catalogue_ask_need"


def test_broken_database_still_answers_kindly(monkeypatch, tmp_path: Path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'never-migrated.db'}")
    reset_settings_cache()
    get_engine.cache_clear()
    try:
        messages, events = run(ActionSearchServices(), tracker("je cherche un medecin"))
    finally:
        reset_settings_cache()
        get_engine.cache_clear()
    assert [m["response"] for m in messages] == ["utter_catalogue_error"]
    assert events == []

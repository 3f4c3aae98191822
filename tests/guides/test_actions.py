"""The Rasa actions, run with real rasa_sdk trackers and dispatchers (no action server)."""
from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.continuation.actions import ActionContinue
from actions.guides.actions import (
    ActionGuideDocuments,
    ActionGuideExplain,
    ActionGuideStart,
)
from actions.guides.stepper import sms_segments


def tracker(text: str, entities: list[dict[str, Any]] | None = None, **slots: Any) -> Tracker:
    return Tracker(
        sender_id="test",
        slots=slots,
        latest_message={"text": text, "intent": {"name": "ask_guide"}, "entities": entities or []},
        events=[],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


def la_suite(**slots: Any) -> Tracker:
    """"La suite", read by NLU as guide_next."""
    t = tracker("la suite", **slots)
    t.latest_message["intent"] = {"name": "guide_next"}
    return t


def run(action, t: Tracker) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, t, {}))
    return dispatcher.messages, events


def test_start_from_a_button_payload_opens_the_guide_and_sets_the_state() -> None:
    messages, events = run(ActionGuideStart(), tracker("/ask_guide", [{"entity": "guide", "value": "aspa"}]))
    assert messages[0]["response"] == "utter_guide_page"
    assert "ASPA" in messages[0]["page"]
    assert {"event": "slot", "name": "guide_id", "value": "aspa", "timestamp": None} in events
    assert {"event": "slot", "name": "guide_page", "value": 0.0, "timestamp": None} in events


def test_next_moves_one_page_and_the_last_page_hands_over() -> None:
    messages, events = run(ActionContinue(), la_suite(guide_id="portage-repas", guide_page=0.0))
    assert messages[0]["page"].startswith("Les conditions principales")
    messages, _ = run(ActionContinue(), la_suite(guide_id="portage-repas", guide_page=4.0))
    assert messages[0]["response"] == "utter_guide_end"
    assert "Portage de repas à domicile" in messages[0]["page"]


def test_documents_carry_both_web_and_sms_texts() -> None:
    messages, _ = run(ActionGuideDocuments(), tracker("les papiers", guide_id="rsa", guide_page=3.0))
    assert messages[0]["response"] == "utter_guide_documents"
    assert "RIB" in messages[0]["documents"]
    assert sms_segments(messages[0]["documents_sms"]) <= 2


def test_explain_uses_the_text_when_the_entity_is_missing() -> None:
    messages, _ = run(ActionGuideExplain(), tracker("c'est quoi le quotient familial ?"))
    assert messages[0]["response"] == "utter_guide_explain"
    assert "quotient familial" in messages[0]["explanation"]


def test_a_broken_state_still_gets_a_kind_answer() -> None:
    messages, events = run(ActionContinue(), la_suite(guide_id="rsa", guide_page="pas un nombre"))
    assert [m["response"] for m in messages] == ["utter_guide_error"]
    assert events == []

"""The action server's answers are checked as strictly as Rasa checks them, only faster."""
from __future__ import annotations

import jsonschema
import pytest
from jsonschema import ValidationError

from bot.patches.action_result_check import validate_action_result
from rasa.core.actions.action import RemoteAction

GOOD = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "guide_page", "value": 2, "timestamp": None}],
     "responses": [{"text": "Voici la suite.", "buttons": [{"title": "Oui", "payload": "/affirm"}]}]},
    {"events": [{"event": "active_loop", "name": None}, {"event": "followup", "name": "utter_ask_human"}]},
    {},
]
BAD = [
    {"events": [{"event": "slot"}]},                          # a slot event without its name
    {"events": [{"event": "no_such_event"}]},
    {"events": "not a list"},
    {"responses": ["not an object"]},
    {"events": [{"event": "user", "text": 3}]},
]


def rasa_check(result: dict) -> None:
    jsonschema.validate(result, RemoteAction.action_response_format_spec())


@pytest.mark.parametrize("result", GOOD)
def test_valid_answers_pass(result: dict) -> None:
    rasa_check(result)
    assert validate_action_result(RemoteAction("action_x", None), result) is True


@pytest.mark.parametrize("result", BAD)
def test_invalid_answers_fail_with_rasas_error(result: dict) -> None:
    with pytest.raises(ValidationError) as rasa_error:
        rasa_check(result)
    with pytest.raises(ValidationError) as ours:
        validate_action_result(RemoteAction("action_x", None), result)
    assert ours.value.message.startswith(rasa_error.value.message)
    assert "Failed to validate Action server response" in ours.value.message
    assert list(ours.value.path) == list(rasa_error.value.path)

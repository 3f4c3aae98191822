"""The form-loop harness says what Rasa 3.6 itself does, turn by turn, on the toy form.

The same conversation is played twice: by :class:`tests.common.form_loop.FormLoop`, and by
Rasa's own ``FormAction`` (rasa/core/actions/forms.py) with its ``RemoteAction`` calls served
in-process by rasa-sdk's ``ActionExecutor`` instead of over HTTP. The processor's part (log
the user message, run ``action_extract_slots`` without logging it, log each action's
``ActionExecuted`` then its events, run the submit when the loop ends) is played here as
``rasa/core/processor.py`` does it. Slots, the active form and what the bot said must match.
"""
from __future__ import annotations

import asyncio
from typing import Any

import pytest
import yaml

from tests.common.form_loop import FormLoop
from tests.common.test_form_validation import DOMAIN, SLOTS, ActionToySubmit, ValidateToyForm

pytestmark = pytest.mark.filterwarnings("ignore")

RESPONSES = ["utter_ask_toy_colour", "utter_ask_toy_sure", "utter_form_first_step", "utter_toy_colour_again",
             "utter_toy_person", "utter_toy_again", "utter_toy_done", "utter_toy_urgent"]
RASA_DOMAIN = {
    "version": "3.1",
    "intents": ["toy", "inform", "urgent_violence"],
    "slots": DOMAIN["slots"] | {"requested_slot": {"type": "any", "mappings": [{"type": "custom"}]}},
    "forms": DOMAIN["forms"],
    "actions": DOMAIN["actions"],
    # Each response's text is its name, so what Rasa says reads like what the harness records.
    "responses": {name: [{"text": name}] for name in RESPONSES},
}
HARNESS_DOMAIN = RASA_DOMAIN | {"responses": {name: [] for name in RESPONSES}}
# Conversations of (text, intent); "resume" is the rules' answer to a rejected message, then the form again.
CONVERSATIONS = {
    "failures, back, urgency, redirect, submit": [
        ("/toy", "toy"), ("bleu", "inform"), ("retour", "inform"), ("jaune", "inform"),
        ("je suis en danger", "urgent_violence"), ("resume", ""), ("vert", "inform"), ("non", "inform"),
        ("rouge", "inform"), ("oui", "inform")],
    "read in the opening message, then again": [
        ("je veux du vert", "toy"), ("oui", "inform"), ("du vert encore", "toy"), ("retour", "inform")],
    "stopped": [("/toy", "toy"), ("rouge", "inform"), ("annuler", "inform")],
}


class InProcessEndpoint:
    """An action endpoint whose requests rasa-sdk's ActionExecutor answers in this process."""

    kwargs: dict[str, Any] = {}  # EndpointConfig's extra settings: none (no selective domain)

    def __init__(self) -> None:
        from rasa_sdk.executor import ActionExecutor

        self.executor = ActionExecutor()
        for action in (ValidateToyForm(), ActionToySubmit()):
            self.executor.register_action(action)

    async def request(self, json: dict[str, Any], **_: Any) -> dict[str, Any]:
        return await self.executor.run(json) or {"events": [], "responses": []}


class RasaConversation:
    """Rasa's processor, reduced to what a form conversation needs."""

    def __init__(self) -> None:
        from rasa.core.channels.channel import CollectingOutputChannel
        from rasa.core.nlg import TemplatedNaturalLanguageGenerator
        from rasa.shared.core.domain import Domain
        from rasa.shared.core.events import ActionExecuted
        from rasa.shared.core.trackers import DialogueStateTracker

        self.domain = Domain.from_yaml(yaml.safe_dump(RASA_DOMAIN))
        self.endpoint = InProcessEndpoint()
        self.channel = CollectingOutputChannel()
        self.nlg = TemplatedNaturalLanguageGenerator(self.domain.responses)
        self.tracker = DialogueStateTracker.from_events("toy", [ActionExecuted("action_listen")], self.domain.slots)
        self.said: list[str] = []

    async def _run(self, name: str) -> bool:
        """Run an action and log it as the processor does; False when the form rejected the message."""
        from rasa.core.actions.action import ActionExecutionRejection, action_for_name_or_text
        from rasa.core.actions.forms import FormAction
        from rasa.shared.core.events import ActionExecuted, ActionExecutionRejected, BotUttered

        action = FormAction(name, self.endpoint) if name in self.domain.form_names else \
            action_for_name_or_text(name, self.domain, self.endpoint)
        try:
            events = await action.run(self.channel, self.nlg, self.tracker, self.domain)
        except ActionExecutionRejection:
            self.tracker.update(ActionExecutionRejected(name))
            return False
        self.tracker.update(ActionExecuted(name))
        for event in events:
            self.tracker.update(event, self.domain)
            if isinstance(event, BotUttered):
                self.said.append(event.text)
        return True

    async def _extract_slots(self) -> None:
        """``MessageProcessor.run_action_extract_slots``: its events, and no ActionExecuted logged."""
        from rasa.core.actions.action import action_for_name_or_text

        action = action_for_name_or_text("action_extract_slots", self.domain, self.endpoint)
        events = await action.run(self.channel, self.nlg, self.tracker, self.domain)
        self.tracker.update_with_events(events, self.domain)

    async def turn(self, text: str, intent: str) -> None:
        from rasa.shared.core.events import ActionExecuted, UserUttered

        self.said = []
        if text == "resume":  # a rule answers the rejected message, then the form goes on
            await self._run("utter_toy_urgent")
            self.said = []
            await self._run("toy_form")
        else:
            parse = {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": []}
            self.tracker.update(UserUttered(text, parse["intent"], [], parse))
            await self._extract_slots()
            await self._run("toy_form")
        if self.tracker.active_loop_name is None:
            await self._run("action_toy_submit")
        self.tracker.update(ActionExecuted("action_listen"))


def harness_turn(loop: FormLoop, text: str, intent: str) -> None:
    if text == "resume":
        loop.resume()
    elif loop.form is None:
        loop.start("toy_form", text, intent)
    else:
        loop.say(text, intent)


@pytest.mark.parametrize("name", sorted(CONVERSATIONS))
def test_the_harness_follows_rasa_turn_by_turn(name: str) -> None:
    rasa = RasaConversation()
    loop = FormLoop(HARNESS_DOMAIN, [ValidateToyForm(), ActionToySubmit()], submits={"toy_form": "action_toy_submit"})
    names = SLOTS + ["toy_failures", "toy_aborted", "requested_slot"]
    for text, intent in CONVERSATIONS[name]:
        asyncio.run(rasa.turn(text, intent))
        harness_turn(loop, text, intent)
        rasa_slots = {name: rasa.tracker.get_slot(name) for name in names}
        loop_slots = {name: loop.slots.get(name) for name in names}
        where = f"after {text!r}"
        assert loop_slots == rasa_slots, where
        assert loop.form == rasa.tracker.active_loop_name, where
        assert loop.said() == rasa.said, where

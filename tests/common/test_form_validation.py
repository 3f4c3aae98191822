"""The one form-validation base and the one reply helper, on a toy form driven by the form loop.

The toy form asks a colour then a yes/no; it shows what every form gets from
:class:`actions.common.form_validation.KindFormValidation`: the generic extraction (no
``extract_*`` method), "retour" and "annuler", a person offered at the second failure, urgent
messages not taken as answers, and a value read in the opening message.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common.dispatch import answer, send
from actions.common.form_answers import Accept, Redirect, Reject, control_word, count_failure, is_answer
from actions.common.form_validation import KindFormValidation
from actions.common.reply import Message, Reply, reply, say
from tests.common.form_loop import FormLoop

SLOTS = ["toy_colour", "toy_sure"]
DOMAIN: dict[str, Any] = {
    "forms": {"toy_form": {"required_slots": SLOTS}},
    "slots": {name: {"type": "any", "mappings": [{"type": "custom"}]}
              for name in SLOTS + ["toy_failures", "toy_aborted", "requested_slot"]},
    "actions": ["validate_toy_form", "action_toy_submit"],
    "responses": {"utter_ask_toy_colour": [], "utter_ask_toy_sure": [], "utter_form_first_step": []},
}


def colour(text: str) -> Any:
    return Accept(text.lower()) if text.lower() in {"rouge", "vert"} else Reject("utter_toy_colour_again")


class ValidateToyForm(KindFormValidation):
    form_slots = SLOTS
    failures_slot = "toy_failures"
    aborted_slot = "toy_aborted"
    human_response = "utter_toy_person"

    def name(self) -> Text:
        return "validate_toy_form"

    def prefill(self, slot: Text, opening: Text, tracker: Tracker) -> Any:
        return "vert" if slot == "toy_colour" and "vert" in opening else None

    def validate_toy_colour(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                            domain: Dict[Text, Any]) -> Dict[Text, Any]:
        return self.decide("toy_colour", lambda: colour(str(value)), dispatcher, tracker)

    def validate_toy_sure(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                          domain: Dict[Text, Any]) -> Dict[Text, Any]:
        said = str(value)
        return self.decide("toy_sure", lambda: Accept(True) if said == "oui" else Redirect(
            {"toy_sure": None, "toy_colour": None}, (say("utter_toy_again"),)), dispatcher, tracker)


class ActionToySubmit(Action):
    def name(self) -> Text:
        return "action_toy_submit"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> list:
        return send(dispatcher, reply(say("utter_toy_done", colour=tracker.get_slot("toy_colour")),
                                      slots={"toy_colour": None, "toy_sure": None}))


def loop() -> FormLoop:
    return FormLoop(DOMAIN, [ValidateToyForm(), ActionToySubmit()], submits={"toy_form": "action_toy_submit"})


def test_a_form_walked_to_its_submit() -> None:
    chat = loop()
    chat.start("toy_form", "/toy", "toy")
    assert chat.said() == ["utter_ask_toy_colour"] and chat.form == "toy_form"
    chat.say("Rouge")
    assert chat.slots["toy_colour"] == "rouge" and chat.said() == ["utter_ask_toy_sure"]
    chat.say("oui")
    assert chat.form is None and chat.said() == ["utter_toy_done"] and chat.response("utter_toy_done")["colour"] == "rouge"
    assert chat.slots["toy_colour"] is None and chat.slots["requested_slot"] is None


def test_the_opening_message_fills_a_slot() -> None:
    chat = loop()
    chat.start("toy_form", "je veux du vert", "toy")
    assert chat.slots["toy_colour"] == "vert" and chat.said() == ["utter_ask_toy_sure"]


def test_two_failures_offer_a_person_then_a_redirect_goes_back() -> None:
    chat = loop()
    chat.start("toy_form", "/toy", "toy")
    chat.say("bleu")
    assert chat.said() == ["utter_toy_colour_again", "utter_ask_toy_colour"]
    chat.say("jaune")
    assert chat.said() == ["utter_toy_colour_again", "utter_toy_person", "utter_ask_toy_colour"]
    chat.say("vert")
    assert chat.slots["toy_failures"] == {}
    chat.say("non")
    assert chat.said() == ["utter_toy_again", "utter_ask_toy_colour"]


def test_retour_and_annuler() -> None:
    chat = loop()
    chat.start("toy_form", "/toy", "toy")
    chat.say("retour")
    assert chat.said() == ["utter_form_first_step", "utter_ask_toy_colour"]
    chat.say("rouge")
    chat.say("retour")
    assert chat.slots["toy_colour"] is None and chat.said() == ["utter_ask_toy_colour"]
    chat.say("annuler")
    assert chat.form is None and chat.slots["toy_aborted"] is True


def test_an_urgent_message_is_not_an_answer_and_the_form_resumes() -> None:
    chat = loop()
    chat.start("toy_form", "/toy", "toy")
    assert chat.say("je suis en danger", "urgent_violence") == [] and chat.rejected
    chat.resume()
    assert chat.said() == ["utter_ask_toy_colour"] and chat.form == "toy_form"
    chat.say("06 12 34 56 78", "urgent_child")  # digits only: an answer, here a wrong one
    assert chat.said()[0] == "utter_toy_colour_again"


def test_the_plain_readings() -> None:
    assert control_word("Retour !") == "back" and control_word("laisse tomber") == "cancel"
    assert control_word("rouge") is None
    assert is_answer("2", "urgent_child", False) and not is_answer("je dors dehors", "urgent_shelter", True)
    assert not is_answer("une personne", "ask_human", False) and is_answer("Nadia", "ask_human", True)
    assert count_failure({"a": 1}, "a") == ({"a": 2}, True) and count_failure(None, "b") == ({"b": 1}, False)


def test_one_reply_helper_sends_and_apologises(caplog) -> None:
    dispatcher = CollectingDispatcher()
    events = send(dispatcher, Reply((Message(text="bonjour", buttons=({"title": "A", "payload": "/a"},)),),
                                    {"x": 1}, followup="action_next"))
    assert dispatcher.messages[0]["text"] == "bonjour" and dispatcher.messages[0]["buttons"][0]["payload"] == "/a"
    assert [e["event"] for e in events] == ["slot", "followup"]

    def broken() -> Reply:
        said = "06" + "12345678"  # built at run time: the source line shown in the frames does not hold it
        raise RuntimeError(said)  # the message is never logged

    caplog.set_level(logging.DEBUG)
    dispatcher = CollectingDispatcher()
    events = answer(dispatcher, broken, apology="utter_toy_error", where="toy", on_failure=Reply(slots={"x": None}))
    assert [m["response"] for m in dispatcher.messages] == ["utter_toy_error"]
    assert events == [{"event": "slot", "timestamp": None, "name": "x", "value": None}]
    assert "toy failed: RuntimeError" in caplog.text and "0612345678" not in caplog.text

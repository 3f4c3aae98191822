"""Rasa 3.6's form loop, played around rasa_sdk actions, so form tests read like a conversation.

It follows ``rasa/core/actions/forms.py`` (FormAction) and ``loops.py`` (LoopAction) of Rasa
3.6.21, on the domain as a dict (domain/, merged):

- **activation** (:meth:`FormLoop.start`, or a ``FollowupAction`` naming a form): the form
  becomes the active loop; the required slots already filled are handed to
  ``validate_<form>`` as slot candidates, with ``requested_slot`` as it was
  (``FormAction.activate``). When that returns no event at all, the validator runs a second
  time, as ``FormAction.do`` → ``_validate_if_required`` does, on the tracker from before
  the activation (no active loop, no requested slot);
- **a message while the form is active** (:meth:`FormLoop.say`): the validator gets the
  slot candidates the slot mappings extracted (``action_extract_slots``); when a slot was
  requested and nothing was extracted or validated, the form is **rejected**
  (``ActionExecutionRejection``): its events and messages are dropped, the form stays active
  and the rules answer instead; :meth:`FormLoop.resume` then plays the form's return (no
  validation of the message, ``validate_slots({})``, then the question again);
- **the next question** (``request_next_slot``): the form ends when the validator set
  ``requested_slot`` to None; else the slot it requested, else the first empty required slot
  in the domain's order; it is asked by the first of ``action_ask_<form>_<slot>``,
  ``utter_ask_<form>_<slot>``, ``action_ask_<slot>``, ``utter_ask_<slot>`` in the domain.
  When no slot is left the loop ends (``ActiveLoop(None)``) and the form's submit action runs,
  as the rules do, when ``submits`` names it.

Slot mappings: the forms here map every slot ``custom`` (the validator extracts), so
``action_extract_slots`` extracts nothing; another mapping type raises, rather than being
imitated wrongly. Responses are recorded as ``{"response": name}`` (no NLG), follow-up
actions that are not forms as ``{"followup": name}``.
"""
from __future__ import annotations

import asyncio
from typing import Any, Iterable, Mapping, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

REQUESTED_SLOT = "requested_slot"
Event = dict[str, Any]


def _slot(name: str, value: Any) -> Event:
    return {"event": "slot", "timestamp": None, "name": name, "value": value}


class FormLoop:
    """One resident's conversation: slots, the active form, and what the bot said this turn."""

    def __init__(self, domain: Mapping[str, Any], actions: Iterable[Action], *, channel: str = "rest",
                 sender_id: str = "resident-1", submits: Optional[Mapping[str, str]] = None) -> None:
        self.domain = domain
        self.actions = {action.name(): action for action in actions}
        self.channel, self.sender_id = channel, sender_id
        self.submits = dict(submits or {})
        self.slots: dict[str, Any] = {}
        self.form: Optional[str] = None
        self.responses: list[dict[str, Any]] = []
        self.text, self.intent = "", ""
        self.rejected = False
        self._names = set(domain.get("actions") or []) | set(domain.get("responses") or {})
        for form in domain.get("forms") or {}:
            self._check_mappings(form)

    # --- what a test does ------------------------------------------------------------------------
    def start(self, form: str, text: str, intent: str) -> list[Event]:
        """The resident's message that the policies answer with ``form``."""
        self._message(text, intent)
        return self._activate(form)

    def say(self, text: str, intent: str = "inform") -> list[Event]:
        """The resident answers while a form is active; returns the form's events (empty if rejected)."""
        assert self.form is not None, "no active form"
        self._message(text, intent)
        candidates = self._extracted()
        events = self._validate(self.form, candidates, active=True, requested=self.slots.get(REQUESTED_SLOT))
        if self.slots.get(REQUESTED_SLOT) and not candidates and not any(
                e.get("event") == "slot" and e["name"] != REQUESTED_SLOT for e in events):
            self.rejected = True  # ActionExecutionRejection: nothing of this run is kept, not even messages
            self.responses = []
            return []
        self._commit(events)
        self._next_question(self.form, events)
        return events

    def at_question(self, form: str, slot: str, **slots: Any) -> None:
        """Jump into ``form`` at the question ``slot``, with these slots already filled."""
        self.form = form
        self.slots.update(slots)
        self.slots[REQUESTED_SLOT] = slot

    def resume(self) -> None:
        """The form comes back after the rules answered a rejected message: the question again."""
        assert self.form is not None, "no active form"
        events = self._validate(self.form, {}, active=True, requested=self.slots.get(REQUESTED_SLOT))
        self._commit(events)
        self._next_question(self.form, events)

    def run(self, action: Action | str, events: Iterable[Event] = ()) -> list[Event]:
        """Run one action now (a submit the test triggers, say), following its FollowupAction."""
        found = self.actions[action] if isinstance(action, str) else action
        result = self._call(found, list(events), self.form)
        self._commit(result)
        followup = next((e["name"] for e in result if e.get("event") == "followup"), None)
        if followup:
            self._follow(followup)
        return result

    def said(self) -> list[Optional[str]]:
        """The responses (or texts, or follow-ups) of this turn, in order."""
        return [r.get("response") or r.get("followup") or r.get("text") for r in self.responses]

    def response(self, name: str) -> dict[str, Any]:
        return next(r for r in self.responses if r.get("response") == name)

    # --- Rasa's side -----------------------------------------------------------------------------
    def _message(self, text: str, intent: str) -> None:
        self.responses, self.text, self.intent, self.rejected = [], text, intent, False

    def _required(self, form: str) -> list[str]:
        return list(self.domain["forms"][form].get("required_slots") or [])

    def _check_mappings(self, form: str) -> None:
        for slot in self._required(form):
            for mapping in (self.domain.get("slots") or {}).get(slot, {}).get("mappings") or []:
                if mapping.get("type") != "custom":
                    raise NotImplementedError(f"{slot}: only custom slot mappings are imitated")

    def _extracted(self) -> dict[str, Any]:
        """What action_extract_slots set for the form's slots this turn: nothing, with custom mappings."""
        return {}

    def _tracker(self, slots: Mapping[str, Any], events: list[Event], active: Optional[str]) -> Tracker:
        message = {"text": self.text, "intent": {"name": self.intent}, "entities": []}
        tracker = Tracker(self.sender_id, dict(slots), message, events, False, None,
                          {"name": active} if active else {}, None)
        tracker.get_latest_input_channel = lambda: self.channel  # type: ignore[method-assign]
        return tracker

    def _call(self, action: Action, events: list[Event], active: Optional[str],
              slots: Optional[Mapping[str, Any]] = None) -> list[Event]:
        """Run a rasa_sdk action as the action server would; its messages join this turn's."""
        dispatcher = CollectingDispatcher()
        seen = dict(self.slots if slots is None else slots)
        for event in events:
            if event.get("event") == "slot":
                seen[event["name"]] = event["value"]
        result = asyncio.run(action.run(dispatcher, self._tracker(seen, events, active), self.domain))
        self.responses += dispatcher.messages
        return list(result)

    def _validate(self, form: str, candidates: Mapping[str, Any], *, active: bool,
                  requested: Any) -> list[Event]:
        """``validate_<form>`` on FormAction's temporary tracker: requested slot, form, candidates."""
        name = f"validate_{form}"
        if name not in self._names or name not in self.actions:
            return []
        events = [_slot(REQUESTED_SLOT, requested), {"event": "action", "name": form}]
        events += [_slot(slot, value) for slot, value in candidates.items()]
        slots = {**self.slots, REQUESTED_SLOT: requested}
        return self._call(self.actions[name], events, form if active else None, slots)

    def _commit(self, events: Iterable[Event]) -> None:
        for event in events:
            if event.get("event") == "slot":
                self.slots[event["name"]] = event["value"]

    def _activate(self, form: str) -> list[Event]:
        """LoopAction.run for a form that is not active yet."""
        self.form = form
        prefilled = {s: self.slots[s] for s in self._required(form) if self.slots.get(s) is not None}
        events = self._validate(form, prefilled, active=True, requested=self.slots.get(REQUESTED_SLOT))
        if not events:  # FormAction.do → _validate_if_required, on the tracker before activation
            events = self._validate(form, {}, active=False, requested=None)
        self._commit(events)
        self._next_question(form, events)
        return events

    def _next_question(self, form: str, events_so_far: list[Event]) -> None:
        """FormAction.request_next_slot, then LoopAction's deactivation and the rules' submit."""
        requested = [e["value"] for e in events_so_far if e.get("event") == "slot" and e["name"] == REQUESTED_SLOT]
        if requested and requested[-1] is None:  # the validator ended the form
            self._done(form)
            return
        slot = requested[0] if requested else next(
            (s for s in self._required(form) if self.slots.get(s) is None), None)
        self.slots[REQUESTED_SLOT] = slot
        if slot is None:
            self._done(form)
            return
        self._ask(form, slot)

    def _ask(self, form: str, slot: str) -> None:
        search = [f"action_ask_{form}_{slot}", f"utter_ask_{form}_{slot}", f"action_ask_{slot}", f"utter_ask_{slot}"]
        name = next((n for n in search if n in self._names), None)
        if name is None:
            return
        if name.startswith("utter_"):
            self.responses.append({"response": name})
        else:
            self._commit(self._call(self.actions[name], [], form))

    def _done(self, form: str) -> None:
        self.slots[REQUESTED_SLOT] = None
        self.form = None
        if form in self.submits:
            self.run(self.submits[form])

    def _follow(self, name: str) -> None:
        if name in (self.domain.get("forms") or {}):
            self.form = None  # the finished form's loop is over; the new one activates
            self._activate(name)
        else:
            self.responses.append({"followup": name})

"""Thin Rasa actions of the handoff: the form's validation and the case creation.

The dialogue logic is in ``conversation.py``, the case store in ``cases.py``, the summary
in ``summary.py`` and the promise in ``promise.py``; these classes only move data between
Rasa and them. A failure never leaves the resident without a reply: they get a sourced
phone number.
"""
from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timezone
from typing import Any, Dict, List, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common.db import get_engine, session_scope
from actions.common.privacy import pseudonym
from actions.core.contacts import human_contact_message
from actions.handoff import cases, conversation
from actions.handoff.conversation import ABORTED, CONSENT, CONTACT, FORM_SLOTS, PHONE, AVAILABILITY
from actions.handoff.promise import promise_at, promise_text
from actions.handoff.summary import summarise

logger = logging.getLogger(__name__)

MENU_BUTTON = {"title": "Voir le menu", "payload": "/help"}
CONTACT_TEXT = {
    "telephone": "Un conseiller vous appellera au {phone}.",
    "sms": "Un conseiller vous écrira par SMS au {phone}.",
    "rendez-vous": "Un conseiller vous proposera un rendez-vous au {phone}.",
    "ici": "Un conseiller vous écrira ici, dans cette conversation. Gardez cette page ouverte, ou revenez plus tard.",
}
CONTACT_TEXT_KNOWN_CHANNEL = {
    "telephone": "Un conseiller vous appellera à ce numéro.",
    "sms": "Un conseiller vous répondra par SMS.",
    "rendez-vous": "Un conseiller vous proposera un rendez-vous par SMS.",
}


def _channel(tracker: Tracker) -> str:
    return tracker.get_latest_input_channel() or "rest"


def _open_case(conversation_id: str) -> cases.Case | None:
    with session_scope(get_engine()) as session:
        return cases.open_case_for(session, conversation_id)


class ValidateHandoffForm(FormValidationAction):
    """Reads each answer of the handoff form; asks again kindly when an answer is unclear."""

    def name(self) -> Text:
        return "validate_handoff_form"

    async def required_slots(self, domain_slots: List[Text], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: Dict[Text, Any]) -> List[Text]:
        if tracker.get_slot("handoff_reference"):
            return []  # this conversation's case exists: the submit action says so
        return conversation.required(dict(tracker.slots), _channel(tracker))

    async def get_extraction_events(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: Dict[Text, Any]) -> List[EventType]:
        """Read the answer to the question asked (rasa-sdk then returns these slots as validated)."""
        events: List[EventType] = []
        if tracker.slots.get("requested_slot") is None:  # the form starts: is a case already open?
            case = await asyncio.to_thread(_open_case, tracker.sender_id)
            events.append(SlotSet("handoff_reference", case.reference if case else None))
        text = (tracker.latest_message or {}).get("text") or ""
        requested = tracker.slots.get("requested_slot")
        answer = conversation.read_answer(requested, text, _channel(tracker))
        if answer.response and conversation.answers_since_asked(tracker.events, requested) >= 2:
            answer = conversation.Answer({ABORTED: True})  # asked twice: nothing is shared, a phone is given
        if answer.response:
            dispatcher.utter_message(response=answer.response)
        events += [SlotSet(name, value) for name, value in answer.slots.items()]
        tracker.slots.update({event["name"]: event["value"] for event in events})
        return events

    async def get_validation_events(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: Dict[Text, Any]) -> List[EventType]:
        """Every slot read above, kept as read.

        rasa-sdk's default drops the slots that ``required_slots`` no longer lists, and a refusal
        or a stop empties that list: the form would then end without knowing why.
        """
        known = {*FORM_SLOTS, ABORTED, "handoff_reference"}
        return [SlotSet(name, value) for name, value in tracker.slots_to_validate().items() if name in known]


def _reset() -> List[EventType]:
    return [SlotSet(name, None) for name in (*FORM_SLOTS, ABORTED, "requested_slot")]


def refused_text() -> str:
    return "D'accord, je ne transmets rien.\n" + human_contact_message()


def failed_text() -> str:
    """When the case could not be created: say so, and give a person to contact."""
    return "Désolé, je n'ai pas pu transmettre votre demande.\n" + human_contact_message()


def _create(draft: cases.CaseDraft, now: datetime) -> tuple[str, bool]:
    with session_scope(get_engine()) as session:
        case, created = cases.create_case(session, draft, now)
        return case.reference, created


def _phone_for_channel(conversation_id: str) -> str | None:
    from messaging.state.store import phone_for_sender

    return phone_for_sender(conversation_id)


class ActionHandoffSubmit(Action):
    """Create the case (with the consent), or say that nothing was shared."""

    def name(self) -> Text:
        return "action_handoff_submit"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        existing = tracker.get_slot("handoff_reference")
        if existing and tracker.get_slot(CONSENT) is None:
            dispatcher.utter_message(response="utter_handoff_already", reference=existing)
            return _reset()
        if tracker.get_slot(ABORTED) or tracker.get_slot(CONSENT) is not True:
            dispatcher.utter_message(text=refused_text(), buttons=[MENU_BUTTON])
            return _reset()
        channel = _channel(tracker)
        contact = tracker.get_slot(CONTACT) or "ici"
        phone = tracker.get_slot(PHONE)
        try:
            if phone is None and channel in conversation.CHANNELS_THAT_KNOW_THE_PHONE and contact != "ici":
                phone = await asyncio.to_thread(_phone_for_channel, tracker.sender_id)
            draft = cases.CaseDraft(
                conversation_id=tracker.sender_id, channel=channel,
                summary=summarise(tracker.events, set(FORM_SLOTS)), contact_mode=contact,
                phone=phone, availability=tracker.get_slot(AVAILABILITY) or "",
            )
            now = datetime.now(timezone.utc)
            reference, created = await asyncio.to_thread(_create, draft, now)
        except Exception as exc:  # the database is down: the resident still gets a person to call
            logger.error("handoff case not created for %s: %s", pseudonym(tracker.sender_id), type(exc).__name__)
            dispatcher.utter_message(text=failed_text(), buttons=[MENU_BUTTON])
            return _reset()
        logger.info("handoff case %s %s for %s", reference, "created" if created else "reused",
                    pseudonym(tracker.sender_id))
        if not created:
            dispatcher.utter_message(response="utter_handoff_already", reference=reference)
            return [*_reset(), SlotSet("handoff_reference", reference)]
        how = (CONTACT_TEXT_KNOWN_CHANNEL.get(contact) if channel in conversation.CHANNELS_THAT_KNOW_THE_PHONE
               else None) or CONTACT_TEXT[contact].format(phone=_display(phone))
        dispatcher.utter_message(
            response="utter_handoff_created", reference=reference, how=how,
            promise=promise_text(promise_at(now), now),
        )
        return [*_reset(), SlotSet("handoff_reference", reference)]


def _display(phone: str | None) -> str:
    from actions.booking.phone import display_phone

    if not phone:
        return "votre numéro"
    return display_phone(phone) if phone.startswith("+33") and len(phone) == 12 else phone

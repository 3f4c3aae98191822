"""Thin Rasa actions of the residents' rights: see my data, erase my data.

The gathering and the erasure are in ``rights.py``, the words in ``conversation.py``;
these classes only move data between Rasa and them. A failure never leaves the
resident without a reply: they get the human contacts and nothing is half-erased
(the erasure is one transaction).
"""
from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timezone
from typing import Any, Dict, List, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import AllSlotsReset, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common.db import get_engine, read_session, session_scope
from actions.common.privacy import pseudonym
from actions.common.settings import get_settings
from actions.core.contacts import human_contact_message
from actions.handoff.conversation import parse_consent
from actions.privacy import conversation, rights
from actions.privacy.links import LINK_MINUTES, export_link

logger = logging.getLogger(__name__)

CONFIRM_SLOT = "privacy_erase_confirm"
#: Channels that can open a link: the web chat gets the full text as a download.
LINK_CHANNELS = {"socketio"}


def _collect(conversation_id: str) -> rights.PersonalData:
    with read_session(get_engine()) as session:
        return rights.collect(session, get_engine(get_settings().tracker_url), conversation_id)


def _erase(conversation_id: str) -> rights.Erased:
    with session_scope(get_engine()) as session:
        return rights.erase(session, conversation_id, datetime.now(timezone.utc))


class ActionPrivacyExport(Action):
    """« Quelles données avez-vous sur moi ? »: a summary here, the whole text behind a link on the web."""

    def name(self) -> Text:
        return "action_privacy_export"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        try:
            data = await asyncio.to_thread(_collect, tracker.sender_id)
        except Exception:
            logger.exception("export failed for %s", pseudonym(tracker.sender_id))
            dispatcher.utter_message(text="Je n'arrive pas à lire vos données maintenant. "
                                          "Réessayez dans un instant.\n" + human_contact_message())
            return []
        if data.is_empty:
            dispatcher.utter_message(response="utter_privacy_export_empty")
            return []
        dispatcher.utter_message(response="utter_privacy_export", summary=conversation.export_summary(data))
        if (tracker.get_latest_input_channel() or "") in LINK_CHANNELS:
            dispatcher.utter_message(response="utter_privacy_export_link", link=export_link(tracker.sender_id),
                                     minutes=str(LINK_MINUTES))
        return []


class ValidatePrivacyEraseForm(FormValidationAction):
    """One question: only a clear yes erases; anything else keeps everything."""

    def name(self) -> Text:
        return "validate_privacy_erase_form"

    async def get_extraction_events(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: Dict[Text, Any]) -> List[EventType]:
        if tracker.slots.get("requested_slot") != CONFIRM_SLOT:
            return []
        text = (tracker.latest_message or {}).get("text") or ""
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        answer = parse_consent(text)
        if answer is None and intent in ("affirm", "deny"):
            answer = intent == "affirm"
        tracker.slots[CONFIRM_SLOT] = answer is True
        return [SlotSet(CONFIRM_SLOT, answer is True)]

    async def get_validation_events(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: Dict[Text, Any]) -> List[EventType]:
        return [SlotSet(name, value) for name, value in tracker.slots_to_validate().items() if name == CONFIRM_SLOT]


class ActionPrivacyErase(Action):
    """After the confirmation question: erase everything, or nothing."""

    def name(self) -> Text:
        return "action_privacy_erase"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        if tracker.get_slot(CONFIRM_SLOT) is not True:
            dispatcher.utter_message(response="utter_privacy_erase_cancelled")
            return [SlotSet(CONFIRM_SLOT, None)]
        try:
            erased = await asyncio.to_thread(_erase, tracker.sender_id)
        except Exception:
            logger.exception("erasure failed for %s", pseudonym(tracker.sender_id))
            dispatcher.utter_message(text="Je n'ai rien pu effacer. Réessayez dans un instant.\n"
                                          + human_contact_message())
            return [SlotSet(CONFIRM_SLOT, None)]
        logger.info("erased the data of %s (%d case(s))", pseudonym(tracker.sender_id), erased.cases)
        dispatcher.utter_message(response="utter_privacy_erased", details=conversation.erased_details(erased))
        # The slots may hold a phone number or a first name: none survives the erasure.
        return [AllSlotsReset()]

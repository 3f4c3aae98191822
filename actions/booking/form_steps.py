"""Form steps shared by the booking forms (mixins for :class:`KindFormValidation` subclasses).

- :class:`LookupStep`: ``booking_lookup``, an appointment found by its reference or the
  resident's mobile number (cancel and move forms);
- :class:`SlotStep`: ``booking_slot``, one of 3 numbered offers, "un autre jour", or a day
  written in French (booking and move forms). The offers are asked by ``action_ask_booking_slot``,
  which reads ``booking_motif`` and ``booking_place``.
"""
from __future__ import annotations

from datetime import date
from datetime import time as clock
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.booking import conversation as talk
from actions.booking.rasa_support import _service, _sorry

PREF_KEYS = ("day", "earliest", "latest", "around", "not_before_day")


def preference_of(raw: Optional[Dict[str, Any]]):  # type: ignore[no-untyped-def]
    """The ``booking_date_pref`` slot (a dict of ISO strings) as a :class:`Preference`, or None."""
    from actions.booking.slots import Preference

    if not raw:
        return None

    def day(key: str) -> Optional[date]:
        return date.fromisoformat(raw[key]) if raw.get(key) else None

    def hour(key: str) -> Optional[clock]:
        return clock.fromisoformat(raw[key]) if raw.get(key) else None

    return Preference(day=day("day"), earliest=hour("earliest"), latest=hour("latest"), around=hour("around"),
                      not_before_day=day("not_before_day"))


def pref_dict(pref: Any) -> Dict[str, Optional[str]]:
    """A :class:`Preference` as the ``booking_date_pref`` slot keeps it."""
    return {k: (getattr(pref, k).isoformat() if getattr(pref, k) else None) for k in PREF_KEYS}


class LookupStep:
    """Find the resident's upcoming appointment; ``on_found`` decides what happens next."""

    def plain_answer(self, slot: Text, text: Text) -> bool:
        from actions.booking.moving import reference_candidates

        return super().plain_answer(slot, text) or (  # type: ignore[misc]
            slot == "booking_lookup" and bool(reference_candidates(text)))

    async def extract_booking_lookup(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                     domain: DomainDict) -> Dict[Text, Any]:
        from actions.booking.moving import reference_candidates
        from actions.booking.phone import find_phone

        text = self.answer_text(tracker, "booking_lookup")  # type: ignore[attr-defined]
        if text is not None:
            return {"booking_lookup": text}
        if tracker.get_slot("requested_slot") is None and not tracker.get_slot("booking_lookup"):
            opening = (tracker.latest_message or {}).get("text") or ""
            if reference_candidates(opening) or find_phone(opening):
                return {"booking_lookup": opening}
            if tracker.get_latest_input_channel() == "sms" and find_phone(tracker.sender_id or ""):
                return {"booking_lookup": tracker.sender_id}
        return {}

    def validate_booking_lookup(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                domain: DomainDict) -> Dict[Text, Any]:
        from actions.booking.moving import find_upcoming

        control = self.control(tracker, "booking_lookup", dispatcher)  # type: ignore[attr-defined]
        if control is not None:
            return control
        try:
            found = find_upcoming(_service(), str(value))
        except Exception as exc:
            _sorry(dispatcher, exc)
            return {"booking_lookup": None, "booking_aborted": True}
        if not found:
            return self.fail("booking_lookup", "utter_booking_lookup_not_found",  # type: ignore[attr-defined]
                             dispatcher, tracker)
        return self.on_found(found, dispatcher, tracker)

    def on_found(self, found: List[Any], dispatcher: CollectingDispatcher, tracker: Tracker) -> Dict[Text, Any]:
        """The soonest upcoming appointment found (``found`` is sorted by time)."""
        return self.succeed("booking_lookup", found[0].reference, tracker)  # type: ignore[attr-defined]


class SlotStep:
    """Read the answer to the offers: a number, the words of an offer, "un autre jour" or a day."""

    async def extract_booking_slot(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                   domain: DomainDict) -> Dict[Text, Any]:
        text = self.answer_text(tracker, "booking_slot")  # type: ignore[attr-defined]
        return {} if text is None else {"booking_slot": text}

    def validate_booking_slot(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                              domain: DomainDict) -> Dict[Text, Any]:
        from actions.booking.dates import parse_when
        from actions.booking.search import Offer

        control = self.control(tracker, "booking_slot", dispatcher)  # type: ignore[attr-defined]
        if control is not None:
            return control
        text = str(value)
        offers: List[str] = list(tracker.get_slot("booking_offers") or [])
        if text in offers:
            return self.succeed("booking_slot", text, tracker)  # type: ignore[attr-defined]
        switch = self.switch_request(text, tracker)
        if switch is not None:
            return switch
        today = talk.paris_today()
        starts = [Offer.parse_token(t)[0] for t in offers]
        if talk.wants_other_day(text):
            pref = talk.next_day_preference(max(starts) if starts else None, today)
            return {"booking_slot": None, "booking_date_pref": pref_dict(pref), "booking_offers": None}
        number = talk.choice_number(text, len(offers))
        if number is None:
            index = talk.match_offer_by_words(text, starts, today)
            number = None if index is None else index + 1
        if number is not None:
            return self.succeed("booking_slot", offers[number - 1], tracker)  # type: ignore[attr-defined]
        wanted = parse_when(text, today)
        if wanted.understood:
            return {"booking_slot": None, "booking_date_pref": pref_dict(wanted.to_preference()),
                    "booking_offers": None}
        return self.fail("booking_slot", "utter_booking_slot_not_understood",  # type: ignore[attr-defined]
                         dispatcher, tracker)

    def switch_request(self, text: Text, tracker: Tracker) -> Optional[Dict[Text, Any]]:
        """Slot updates when the answer asks for another form instead (none by default)."""
        return None

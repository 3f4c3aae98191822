"""Shared pieces of the booking Rasa actions: the service on the app database, slot lists."""
from __future__ import annotations

import logging
from functools import lru_cache
from typing import List, Text

from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

log = logging.getLogger("actions.booking.actions")

FORM_SLOTS = ["booking_motif", "booking_place", "booking_slot", "booking_first_name", "booking_phone",
              "booking_confirm"]
HELPER_SLOTS = ["booking_offers", "booking_date_pref", "booking_failures", "booking_aborted", "requested_slot"]
CANCEL_SLOTS = ["booking_lookup", "booking_cancel_confirm"]


@lru_cache(maxsize=1)
def _service():  # type: ignore[no-untyped-def]
    """The booking service on the app database (seeded with the demo planning when empty)."""
    from sqlalchemy import func, select

    from actions.booking.models import Motif
    from actions.booking.seed import seed
    from actions.booking.service import BookingService
    from actions.common.db import get_engine, session_scope

    engine = get_engine()
    with session_scope(engine) as session:
        empty = not session.scalar(select(func.count()).select_from(Motif))
    if empty:
        seed(engine)
    return BookingService(engine)


def _reset(names: List[Text]) -> List[EventType]:
    return [SlotSet(name, None) for name in names]


def _sorry(dispatcher: CollectingDispatcher, exc: Exception) -> None:
    log.error("booking action failed: %s", type(exc).__name__)
    dispatcher.utter_message(response="utter_booking_error")

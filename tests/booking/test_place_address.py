"""In the conversation, a booking or a move tells the resident where to go (or whom to ask)."""
from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.booking import actions as booking_actions
from tools.domain import load_domain

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = load_domain()


def run(action, slots: dict[str, Any]) -> list[dict[str, Any]]:
    dispatcher = CollectingDispatcher()
    tracker = Tracker("resident-1", slots, {"text": "", "intent": {"name": ""}}, [], False, None, {}, None)
    tracker.get_latest_input_channel = lambda: "rest"  # type: ignore[method-assign]
    asyncio.run(action.run(dispatcher, tracker, DOMAIN))
    return dispatcher.messages


def confirmed_address(place: str) -> str:
    offer = booking_actions.app_service().search("email", place)[0]
    slots = {"booking_motif": "email", "booking_place": place, "booking_slot": offer.token,
             "booking_first_name": "Nadia", "booking_phone": "+33612345678", "booking_confirm": True}
    said = run(booking_actions.ActionBookingSubmit(), slots)
    return next(m for m in said if m.get("response") == "utter_booking_confirmed")["address"]


@pytest.mark.usefixtures("app_db")
def test_booking_at_the_mediatheque_gives_its_address() -> None:
    assert confirmed_address("mediatheque-jean-jacques-rousseau") == "Carré Curial, Chambéry"


@pytest.mark.usefixtures("app_db")
def test_booking_where_no_address_is_sourced_says_how_to_get_it() -> None:
    address = confirmed_address("dynamo")
    assert address.startswith("demandez-la à ")
    assert "demandez-la à France Services des Hauts de Chambéry au 04 79 68 58 52." in address  # sourced (ANCT)
    assert "http://ladynamo.chambery.fr" in address


@pytest.mark.usefixtures("app_db")
def test_a_moved_appointment_gives_the_address_again() -> None:
    service = booking_actions.app_service()
    offers = service.search("email", "mediatheque-jean-jacques-rousseau", max_per_day=None, limit=10)
    appt = service.book("email", offers[0].start, offers[0].place_id, offers[0].conseiller_id, first_name="Nadia",
                        phone_e164="+33612345678", channel="sms")
    slots = {"booking_lookup": appt.reference, "booking_slot": offers[1].token, "booking_move_confirm": True,
             "booking_reference": appt.reference}
    said = run(booking_actions.ActionBookingMoveSubmit(), slots)
    moved = next(m for m in said if m.get("response") == "utter_booking_moved")
    assert moved["address"] == "Carré Curial, Chambéry"

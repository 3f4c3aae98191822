"""What the booking forms' ask and submit actions say, without Rasa (actions/booking/replies.py)."""
from __future__ import annotations

from actions.booking import replies
from actions.booking.questions import CANCEL_INSTEAD, MOVE_INSTEAD


def book_first(service, channel: str = "rest"):
    offer = service.search("email", "dynamo")[0]
    return offer, replies.book(service, aborted=False, confirmed=True, motif="email", token=offer.token,
                               first_name="Nadia", phone="+33612345678", channel=channel, sender_id="r-1")


def test_offers_are_numbered_with_another_day_last(service) -> None:
    shown = replies.offers(service, "email", "any", None)
    [question] = shown.messages
    assert question.response == "utter_ask_booking_slot"
    assert [b["payload"] for b in question.buttons] == ["1", "2", "3", "un autre jour"]
    assert len(shown.slots["booking_offers"]) == 3


def test_no_time_on_the_day_asked_then_the_days_after(service) -> None:
    shown = replies.offers(service, "email", "dynamo", {"day": "2026-12-06"})  # a Sunday
    assert shown.responses[0][0] == "utter_booking_no_slot_then"
    assert shown.messages[-1].response == "utter_ask_booking_slot"


def test_recap_says_the_motif_time_place_and_phone_as_dialled(service) -> None:
    offer = service.search("email", "dynamo")[0]
    recap = replies.booking_recap(service, offer.token, "email", "Nadia", "+33612345678")
    variables = recap.messages[-1].variables
    assert recap.messages[-1].response == "utter_ask_booking_confirm"
    assert variables["place"] == "La Dynamo" and variables["phone"] == "06 12 34 56 78"


def test_booking_clears_the_form_and_keeps_the_reference(service) -> None:
    _, booked = book_first(service)
    assert booked.messages[0].response == "utter_booking_confirmed"
    assert "utter_booking_ics" in [m.response for m in booked.messages]  # web: a calendar link
    assert booked.slots["booking_phone"] is None and len(booked.slots["booking_reference"]) == 6
    assert booked.followup is None


def test_a_time_taken_meanwhile_brings_the_form_back(service) -> None:
    offer, _ = book_first(service)
    again = replies.book(service, aborted=False, confirmed=True, motif="email", token=offer.token, first_name="K",
                         phone="+33781223344", channel="sms", sender_id="r-2")
    assert again.responses[0][0] == "utter_booking_slot_taken" and again.followup == "booking_form"
    assert again.slots["booking_date_pref"] == {"not_before_day": offer.start.date().isoformat()}


def test_an_aborted_form_books_nothing(service) -> None:
    said = replies.book(service, aborted=True, confirmed=True, motif="email", token="x", first_name="",
                        phone=None, channel="rest", sender_id="r-1")
    assert said.responses == [("utter_booking_aborted", {})]


def test_finishing_the_cancel_form(service) -> None:
    _, booked = book_first(service)
    reference = booked.slots["booking_reference"]
    kept = replies.finish_cancel(service, reference=reference, confirmed=False, aborted=None)
    assert kept.responses == [("utter_booking_cancel_kept", {})]
    move = replies.finish_cancel(service, reference=reference, confirmed=MOVE_INSTEAD, aborted=None)
    assert move.followup == "booking_move_form" and "booking_lookup" not in move.slots
    assert move.slots["booking_motif"] == "email" and move.slots["booking_place"] == "dynamo"
    done = replies.finish_cancel(service, reference=reference, confirmed=True, aborted=None)
    assert done.messages[0].response == "utter_booking_cancelled"


def test_finishing_the_move_form_when_the_resident_changed_their_mind(service) -> None:
    _, booked = book_first(service)
    reference = booked.slots["booking_reference"]
    cancel = replies.move(service, reference=reference, aborted=CANCEL_INSTEAD, confirmed=False, token=None,
                          channel="rest")
    assert cancel.followup == "booking_cancel_form" and cancel.messages == ()
    assert "booking_lookup" not in cancel.slots
    kept = replies.move(service, reference=reference, aborted=True, confirmed=False, token=None, channel="rest")
    assert kept.messages[0].response == "utter_booking_move_kept"


def test_too_late_without_the_place_phone_hands_over(service) -> None:
    said = replies.too_late("La Dynamo", "")
    assert said.responses[0][0] == "utter_booking_move_too_late_no_phone"
    assert said.followup == "action_human_contact"
    assert replies.too_late("La Dynamo", "04 79 00 00 00").followup is None

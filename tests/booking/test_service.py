"""Booking service on SQLite and PostgreSQL: what residents and conseillers see happen."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from actions.booking.fmt import when_fr
from actions.booking.models import Appointment
from actions.booking.reference import ALPHABET
from actions.booking.retention import purge_contacts
from actions.booking.service import AppointmentNotFound, SlotTaken, TooLateToChange
from actions.common.db import session_scope
from actions.notifications.models import CANCELLED, PENDING, Notification

PHONE = "+33612345678"


def book_first(service, motif="email", place="dynamo", **kw):
    offer = service.search(motif, place)[0]
    appt = service.book(motif, offer.start, offer.place_id, offer.conseiller_id, first_name="Nadia",
                        phone_e164=kw.get("phone", PHONE), channel=kw.get("channel", "sms"),
                        sender_id=kw.get("sender_id"))
    return offer, appt


def outbox(engine):
    with session_scope(engine) as s:
        return [(n.kind, n.channel, n.status) for n in s.scalars(select(Notification).order_by(Notification.id))]


def test_search_at_a_place_follows_the_demo_planning(service) -> None:
    offers = service.search("email", "dynamo", max_per_day=None)
    assert [when_fr(o.start) for o in offers] == [
        "mardi 1 décembre à 9 h", "mardi 1 décembre à 10 h", "mardi 1 décembre à 11 h"
    ]
    assert {o.place_name for o in offers} == {"La Dynamo"}


def test_soonest_anywhere_starts_with_the_earliest_place(service) -> None:
    offers = service.search("email", None, max_per_day=None)
    assert when_fr(offers[0].start) == "lundi 30 novembre à 14 h" and offers[0].place_name == "CCAS de Chambéry"


def test_booking_gives_a_reference_and_removes_the_slot(service, seeded_engine) -> None:
    offer, appt = book_first(service)
    assert len(appt.reference) == 6 and set(appt.reference) <= set(ALPHABET)
    assert appt.starts_at == offer.start and appt.place_name == "La Dynamo"
    assert offer.start not in [o.start for o in service.search("email", "dynamo")]
    assert service.history(appt.reference) == [("booked", "resident")]
    with session_scope(seeded_engine) as s:
        stored = s.scalars(select(Appointment)).one()
        assert stored.phone_e164 == PHONE and stored.phone_pseudonym != PHONE


def test_same_slot_twice_offers_alternatives(service) -> None:
    offer, _ = book_first(service)
    with pytest.raises(SlotTaken) as taken:
        service.book("email", offer.start, offer.place_id, offer.conseiller_id, first_name="Paul",
                     phone_e164="+33700000001", channel="rest")
    alternatives = taken.value.alternatives
    assert alternatives and offer.start not in [a.start for a in alternatives]


def test_database_rejects_overlap_even_without_the_check(service, seeded_engine) -> None:
    """A 60-min appointment at 9:00 and a 45-min one at 9:30 share units: the constraint refuses."""
    offer, _ = book_first(service)
    with pytest.raises(IntegrityError):
        service._insert(1, offer.place_id, offer.conseiller_id, offer.start + timedelta(minutes=30),
                        offer.start + timedelta(minutes=75), "X", None, "rest", None, service.clock())


def test_longer_motif_after_a_short_one_starts_when_it_ends(service) -> None:
    offer, _ = book_first(service, motif="smartphone")  # 45 minutes at 9:00
    assert when_fr(service.search("email", "dynamo")[0].start) == "mardi 1 décembre à 9 h 45"


MEDIA = "mediatheque-jean-jacques-rousseau"


def test_booking_for_tomorrow_morning_gets_no_reminder_on_top_of_the_confirmation(service, seeded_engine) -> None:
    book_first(service)  # Monday 9:00 for Tuesday 9:00: the reminder would come 1 hour after the confirmation
    assert outbox(seeded_engine) == [("booking_confirmation", "sms", PENDING)]


def test_cancel_frees_the_slot_and_withdraws_the_reminder(service, seeded_engine) -> None:
    offer, appt = book_first(service, place=MEDIA)  # Wednesday 10:00: reminder Tuesday 10:00
    assert outbox(seeded_engine) == [("booking_confirmation", "sms", PENDING), ("booking_reminder", "sms", PENDING)]
    service.cancel(appt.reference)
    assert offer.start in [o.start for o in service.search("email", MEDIA, max_per_day=None)]
    kinds = outbox(seeded_engine)
    assert ("booking_reminder", "sms", CANCELLED) in kinds and ("booking_cancellation", "sms", PENDING) in kinds
    assert service.history(appt.reference) == [("booked", "resident"), ("cancelled", "resident")]
    with pytest.raises(AppointmentNotFound):
        service.cancel(appt.reference)


def test_cancel_is_refused_less_than_4_hours_before(service, clock) -> None:
    offer, appt = book_first(service)
    clock.now = offer.start - timedelta(hours=3)
    with pytest.raises(TooLateToChange) as late:
        service.cancel(appt.reference)
    assert late.value.place_name == "La Dynamo"
    clock.now = offer.start - timedelta(hours=5)
    assert service.cancel(appt.reference).status == "cancelled"


def test_find_by_phone_and_by_reference_typed_loosely(service) -> None:
    _, appt = book_first(service)
    assert [a.reference for a in service.upcoming(phone_e164=PHONE)] == [appt.reference]
    assert service.upcoming(phone_e164="+33799999999") == []
    loose = f"ma ref c est {appt.reference[:3].lower()} {appt.reference[3:].lower()}"
    assert [a.reference for a in service.upcoming(reference=loose)] == [appt.reference]


def test_move_to_another_slot(service, seeded_engine) -> None:
    offer, appt = book_first(service, place=MEDIA)
    target = service.search("email", MEDIA, max_per_day=None)[0]
    moved = service.move(appt.reference, target.start, target.place_id, target.conseiller_id)
    assert moved.starts_at == target.start
    assert offer.start in [o.start for o in service.search("email", MEDIA, max_per_day=None)]
    assert ("moved", "resident") in service.history(appt.reference)
    assert [k for k, _, s in outbox(seeded_engine) if s == PENDING].count("booking_reminder") == 1


def test_telegram_resident_is_notified_on_telegram(service, seeded_engine) -> None:
    book_first(service, channel="telegram", sender_id="123456")
    assert {c for _, c, _ in outbox(seeded_engine)} == {"telegram"}


def test_conseiller_marks_done_and_no_show(service) -> None:
    _, appt = book_first(service)
    assert service.set_status(appt.reference, "no_show").status == "no_show"
    assert service.history(appt.reference)[-1] == ("no_show", "conseiller")


def test_retention_erases_contact_data(service, seeded_engine, clock) -> None:
    offer, appt = book_first(service)
    assert purge_contacts(seeded_engine, clock.now) == 0
    assert purge_contacts(seeded_engine, offer.start + timedelta(days=91)) == 1
    with session_scope(seeded_engine) as s:
        stored = s.scalars(select(Appointment)).one()
        assert (stored.phone_e164, stored.first_name, stored.phone_pseudonym) == (None, None, None)
        assert all(n.recipient == "" for n in s.scalars(select(Notification)))


def test_the_same_resident_confirming_the_same_time_again_keeps_one_booking(service, seeded_engine) -> None:
    """A confirmation replayed (its answer lost when a Rasa replica died mid-turn) books nothing twice."""
    offer, first = book_first(service, sender_id="web-123")
    again = service.book("email", offer.start, offer.place_id, offer.conseiller_id, first_name="Nadia",
                         phone_e164=PHONE, channel="sms", sender_id="web-123", replayed_is_booked=True)
    assert again.reference == first.reference
    with session_scope(seeded_engine) as s:
        assert len(s.scalars(select(Appointment)).all()) == 1
    assert [kind for kind, _, _ in outbox(seeded_engine)].count("booking_confirmation") == 1
    with pytest.raises(SlotTaken):  # someone else still cannot have that time
        service.book("email", offer.start, offer.place_id, offer.conseiller_id, first_name="Paul",
                     phone_e164="+33700000001", channel="rest", sender_id="web-456", replayed_is_booked=True)
    with pytest.raises(SlotTaken):  # and outside the conversation (the console), a second submit is refused
        service.book("email", offer.start, offer.place_id, offer.conseiller_id, first_name="Nadia",
                     phone_e164=PHONE, channel="sms", sender_id="web-123")

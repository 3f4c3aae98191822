"""Moving an appointment in the service: one transaction, same reference, messages for the new time."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from actions.booking.fmt import when_fr
from actions.booking.models import AppointmentUnit
from actions.booking.service import AppointmentNotFound, SlotTaken, TooLateToChange
from actions.common.db import session_scope
from actions.notifications.models import CANCELLED, PENDING, SENT, Notification

PHONE = "+33612345678"
MEDIA = "mediatheque-jean-jacques-rousseau"


def book(service, offer, phone=PHONE):
    return service.book("email", offer.start, offer.place_id, offer.conseiller_id, first_name="Nadia",
                        phone_e164=phone, channel="sms")


def notes(engine):
    with session_scope(engine) as s:
        return [(n.kind, n.status, n.body) for n in s.scalars(select(Notification).order_by(Notification.id))]


def units(engine):
    with session_scope(engine) as s:
        return sorted(u.unit_start for u in s.scalars(select(AppointmentUnit)))


def test_move_keeps_the_reference_frees_the_old_time_and_takes_the_new_one(service, seeded_engine) -> None:
    first, second = service.search("email", MEDIA, max_per_day=None)[:2]
    appt = book(service, first)
    before = units(seeded_engine)
    moved = service.move(appt.reference, second.start, second.place_id, second.conseiller_id)
    assert moved.reference == appt.reference and moved.starts_at == second.start
    assert units(seeded_engine) != before and len(units(seeded_engine)) == len(before)
    free = [o.start for o in service.search("email", MEDIA, max_per_day=None)]
    assert first.start in free and second.start not in free


def test_moving_back_to_the_first_time_works(service) -> None:
    """The withdrawn messages of the first time must not block new ones (unique dedupe keys)."""
    first, second = service.search("email", MEDIA, max_per_day=None)[:2]
    appt = book(service, first)
    service.move(appt.reference, second.start, second.place_id, second.conseiller_id)
    back = service.move(appt.reference, first.start, first.place_id, first.conseiller_id)
    assert back.starts_at == first.start
    assert [a for a, _ in service.history(appt.reference)] == ["booked", "moved", "moved"]


def test_unsent_confirmation_is_replaced_by_one_for_the_new_time(service, seeded_engine) -> None:
    first, second = service.search("email", MEDIA, max_per_day=None)[:2]
    appt = book(service, first)
    service.move(appt.reference, second.start, second.place_id, second.conseiller_id)
    pending = [(k, b) for k, s, b in notes(seeded_engine) if s == PENDING]
    assert [k for k, _ in pending] == ["booking_confirmation", "booking_reminder"]
    assert all(when_fr(second.start) in b and when_fr(first.start) not in b for _, b in pending)
    assert pending[0][1].startswith("Sésame : je confirme votre rendez-vous")
    assert ("booking_reminder", CANCELLED) in [(k, s) for k, s, _ in notes(seeded_engine)]


def test_after_the_confirmation_left_a_short_moved_message_is_sent(service, seeded_engine) -> None:
    first, second = service.search("email", MEDIA, max_per_day=None)[:2]
    appt = book(service, first)
    with session_scope(seeded_engine) as s:
        for note in s.scalars(select(Notification).where(Notification.kind == "booking_confirmation")):
            note.status = SENT
    service.move(appt.reference, second.start, second.place_id, second.conseiller_id)
    pending = [(k, b) for k, s, b in notes(seeded_engine) if s == PENDING]
    assert pending[0][0] == "booking_confirmation" and "déplacé" in pending[0][1]
    assert when_fr(second.start) in pending[0][1] and appt.reference in pending[0][1]


def test_move_to_a_taken_time_changes_nothing(service, seeded_engine) -> None:
    first, second = service.search("email", MEDIA, max_per_day=None)[:2]
    appt = book(service, first)
    book(service, second, phone="+33799999999")
    before = units(seeded_engine)
    with pytest.raises(SlotTaken) as taken:
        service.move(appt.reference, second.start, second.place_id, second.conseiller_id)
    assert taken.value.alternatives
    assert units(seeded_engine) == before and service.get(appt.reference).starts_at == first.start


def test_move_is_refused_less_than_4_hours_before_and_after_a_cancel(service, clock) -> None:
    first, second = service.search("email", MEDIA, max_per_day=None)[:2]
    appt = book(service, first)
    clock.now = first.start - timedelta(hours=3)
    with pytest.raises(TooLateToChange):
        service.move(appt.reference, second.start, second.place_id, second.conseiller_id)
    clock.now = first.start - timedelta(hours=5)
    service.cancel(appt.reference)
    with pytest.raises(AppointmentNotFound):
        service.move(appt.reference, second.start, second.place_id, second.conseiller_id)

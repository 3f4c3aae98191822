"""50 residents choose the same time at the same moment: exactly one gets it, nobody gets an error."""
from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from actions.booking.models import Appointment, AppointmentUnit
from actions.booking.service import BookedAppointment, BookingService, SlotTaken
from actions.common.db import make_engine, session_scope

RESIDENTS = 50


def test_fifty_simultaneous_bookings_of_one_slot(seeded_engine, db_url, clock, caplog) -> None:
    caplog.set_level(logging.INFO, logger="actions.booking.service")
    offer = BookingService(seeded_engine, clock=clock).search("email", "dynamo")[0]
    engine = make_engine(db_url)  # a pool shared by the 50 threads, like the action server's
    barrier = threading.Barrier(RESIDENTS)

    def resident(i: int) -> object:
        service = BookingService(engine, clock=clock)
        barrier.wait()
        try:
            return service.book("email", offer.start, offer.place_id, offer.conseiller_id,
                                first_name=f"R{i}", phone_e164=f"+3361234{i:04d}", channel="rest")
        except SlotTaken as taken:
            return taken
        except Exception as exc:  # anything else would reach a resident: the test fails on it
            return exc

    with ThreadPoolExecutor(max_workers=RESIDENTS) as pool:
        results = list(pool.map(resident, range(RESIDENTS)))
    engine.dispose()

    booked = [r for r in results if isinstance(r, BookedAppointment)]
    taken = [r for r in results if isinstance(r, SlotTaken)]
    errors = [r for r in results if not isinstance(r, (BookedAppointment, SlotTaken))]
    assert errors == []
    assert len(booked) == 1 and len(taken) == RESIDENTS - 1
    assert all(t.alternatives and offer.start not in [a.start for a in t.alternatives] for t in taken)
    races = [r for r in caplog.records if r.getMessage().startswith("booking race lost")]
    print(f"{len(races)} of {RESIDENTS - 1} losers were stopped by the unique constraint itself")
    with session_scope(seeded_engine) as s:
        assert s.scalar(select(func.count()).select_from(Appointment)) == 1
        assert s.scalar(select(func.count()).select_from(AppointmentUnit)) == 4  # 60 minutes = 4 units


def test_the_constraint_alone_stops_fifty_simultaneous_inserts(seeded_engine, db_url, clock) -> None:
    """Without the friendly pre-check, the database itself still lets only one insert through."""
    offer = BookingService(seeded_engine, clock=clock).search("email", "dynamo")[0]
    engine = make_engine(db_url)
    barrier = threading.Barrier(RESIDENTS)
    end = offer.start + timedelta(minutes=60)

    def raw_insert(i: int) -> str:
        service = BookingService(engine, clock=clock)
        barrier.wait()
        try:
            service._insert(1, offer.place_id, offer.conseiller_id, offer.start, end, f"R{i}", None, "rest",
                            None, clock())
            return "ok"
        except IntegrityError:
            return "refused"

    with ThreadPoolExecutor(max_workers=RESIDENTS) as pool:
        outcomes = list(pool.map(raw_insert, range(RESIDENTS)))
    engine.dispose()
    assert outcomes.count("ok") == 1 and outcomes.count("refused") == RESIDENTS - 1

"""Conseiller side: the printed day agenda and the calendar export show the right appointments."""
from __future__ import annotations

from datetime import date

from actions.booking.agenda import agenda_ics, day_agenda, render_html, render_text
from actions.booking.ics import appointment_event, calendar, check_ics_token, ics_link, ics_token

TUESDAY = date(2026, 12, 1)


def book(service, first_name: str, phone: str):
    offer = service.search("email", "dynamo")[0]
    return service.book("email", offer.start, offer.place_id, offer.conseiller_id, first_name=first_name,
                        phone_e164=phone, channel="sms")


def test_day_agenda_lists_the_days_appointments_with_masked_phones(service, seeded_engine) -> None:
    first = book(service, "Nadia", "+33612345678")
    second = book(service, "Karim", "+33698765432")
    service.cancel(second.reference)
    lines = day_agenda(seeded_engine, TUESDAY, place_slug="dynamo")
    assert [(row.first_name, row.reference) for row in lines] == [("Nadia", first.reference)]
    text = render_text(lines, TUESDAY, "La Dynamo")
    assert "mardi 1 décembre" in text and "9 h" in text and "Nadia" in text
    assert "0612345678" not in text and "+33612345678" not in text and "78" in text
    assert day_agenda(seeded_engine, TUESDAY, place_slug="ccas") == []
    assert len(day_agenda(seeded_engine, TUESDAY, conseiller_slug="conseiller-dynamo", include_cancelled=True)) == 2
    full = day_agenda(seeded_engine, TUESDAY, show_phone=True)
    assert full[0].phone == "+33612345678"


def test_printable_html_escapes_names(service, seeded_engine) -> None:
    book(service, "<b>Jo</b>", "+33612345678")
    page = render_html(day_agenda(seeded_engine, TUESDAY), TUESDAY, "La Dynamo")
    assert "&lt;b&gt;Jo&lt;/b&gt;" in page and "<b>Jo</b>" not in page and "@media print" in page


def test_agenda_ics_export(service, seeded_engine, clock) -> None:
    appt = book(service, "Nadia", "+33612345678")
    ics = agenda_ics(seeded_engine, TUESDAY, 7, conseiller_slug="conseiller-dynamo", now=clock.now)
    assert ics.startswith("BEGIN:VCALENDAR\r\n") and ics.endswith("END:VCALENDAR\r\n")
    assert f"UID:{appt.reference}@sesame.chambery" in ics
    assert "DTSTART:20261201T080000Z" in ics  # 9:00 in Paris in winter
    assert "+336" not in ics


def test_resident_ics_and_signed_link(clock) -> None:
    from datetime import datetime, timezone

    start = datetime(2026, 7, 1, 8, 0, tzinfo=timezone.utc)
    event = appointment_event("K7M4QX", start, start.replace(hour=9), "La Dynamo", "", "votre téléphone, chargé")
    ics = calendar([event], clock.now)
    unfolded = ics.replace("\r\n ", "")  # where a long line folds is the library's choice
    assert "LOCATION:La Dynamo" in unfolded and "votre téléphone\\, chargé" in unfolded
    assert all(len(line.encode()) <= 75 for line in ics.split("\r\n"))
    link = ics_link("K7M4QX")
    assert link.endswith(f"/rdv/K7M4QX-{ics_token('K7M4QX')}.ics")
    assert check_ics_token("K7M4QX", ics_token("K7M4QX")) and not check_ics_token("K7M4QX", "0" * 16)


def test_resident_ics_needs_the_signed_token(service, seeded_engine, clock) -> None:
    from actions.booking.agenda import resident_ics

    appt = book(service, "Nadia", "+33612345678")
    ics = resident_ics(seeded_engine, appt.reference, ics_token(appt.reference), clock.now)
    assert ics is not None and f"UID:{appt.reference}@sesame.chambery" in ics and "Nadia" not in ics
    assert resident_ics(seeded_engine, appt.reference, "f" * 16, clock.now) is None
    service.cancel(appt.reference)
    assert resident_ics(seeded_engine, appt.reference, ics_token(appt.reference), clock.now) is None

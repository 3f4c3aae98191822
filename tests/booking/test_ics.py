"""The .ics text written with icalendar: what calendar apps read back is what we meant."""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import icalendar

from actions.booking.ics import CalendarEvent, appointment_event, calendar

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=timezone.utc)


def test_an_appointment_reads_back_with_its_times_in_utc_and_its_text_unescaped() -> None:
    start = datetime(2026, 12, 1, 9, 0, tzinfo=PARIS)
    event = appointment_event("K7M4QX", start, start.replace(hour=10), "La Dynamo", "1 rue; X, 73000 Chambéry",
                              "votre téléphone, chargé\net vos codes")
    text = calendar([event], NOW, name="Agenda; conseiller, numérique")
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert "DTSTART:20261201T080000Z" in text and "DTSTAMP:20261120T100000Z" in text
    assert "LOCATION:La Dynamo\\, 1 rue\\; X\\, 73000 Chambéry" in text
    parsed = icalendar.Calendar.from_ical(text)
    assert str(parsed["METHOD"]) == "PUBLISH" and str(parsed["VERSION"]) == "2.0"
    (vevent,) = parsed.walk("VEVENT")
    assert str(vevent["UID"]) == "K7M4QX@sesame.chambery"
    assert vevent.decoded("DTSTART") == start and vevent.decoded("DTEND") == start.replace(hour=10)
    assert str(vevent["LOCATION"]) == "La Dynamo, 1 rue; X, 73000 Chambéry"
    assert str(vevent["DESCRIPTION"]).endswith("À apporter : votre téléphone, chargé\net vos codes.")


def test_long_lines_fold_at_75_octets_and_unfold_to_the_same_text() -> None:
    long = "Référence : K7M4QX. À apporter : " + "pièce d’identité, justificatif de domicile; " * 6
    text = calendar([CalendarEvent("a@s", NOW, NOW, "Rendez-vous", description=long)], NOW)
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    (vevent,) = icalendar.Calendar.from_ical(text).walk("VEVENT")
    assert str(vevent["DESCRIPTION"]) == long


def test_an_agenda_holds_one_vevent_per_appointment_and_omits_empty_fields() -> None:
    events = [CalendarEvent(f"{i}@sesame.chambery", NOW, NOW, f"Nadia {i}") for i in range(3)]
    text = calendar(events, NOW, name="Agenda conseiller numérique")
    assert text.count("BEGIN:VEVENT") == 3 and "LOCATION" not in text and "DESCRIPTION" not in text
    assert "X-WR-CALNAME:Agenda conseiller numérique" in text
    assert calendar([], NOW).count("VEVENT") == 0

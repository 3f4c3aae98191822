"""Demonstration agenda data is never taken for real appointments.

While data/booking/conseillers.yml says ``demo: true`` the recap, the confirmation and the
SMS say plainly that the appointment is an example, the web chat's demo page says it in a
banner, and SESAME_ENV=production refuses to start. A real agenda (``demo: false``) gets
none of these. Real SQLite databases and the real seed files throughout.
"""
from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterator

import pytest
import requests
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.booking import actions as booking_actions
from actions.booking import demo
from actions.booking.seed import seed
from actions.booking.service import BookingService
from actions.common.db import make_engine, session_scope
from actions.common.settings import reset_settings_cache
from actions.core import contacts
from actions.notifications.senders import DevLogSender
from actions.notifications.worker import run_once
from messaging.gsm7 import normalise, segment_info
from bot.channels.render import from_rasa, render_sms
from tools.domain import load_domain

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = load_domain()
MONDAY = datetime(2026, 11, 30, 8, 0, tzinfo=timezone.utc)  # 09:00 in Paris


# --- data folders ---------------------------------------------------------------------------------
def real_agenda(tmp_path: Path) -> Path:
    """A copy of data/booking and data/catalogue whose planning is no longer demonstration data."""
    folder = tmp_path / "data"
    for name in ("booking", "catalogue"):
        shutil.copytree(ROOT / "data" / name, folder / name)
    for name in ("conseillers.yml", "motifs.yml"):
        path = folder / "booking" / name
        text = path.read_text(encoding="utf-8")
        assert "\ndemo: true\n" in text
        path.write_text(text.replace("\ndemo: true\n", "\ndemo: false\n"), encoding="utf-8")
    return folder


@pytest.fixture
def data_dir(monkeypatch) -> Iterator[Any]:
    """Point the settings at another data folder (the contacts cache is emptied around it)."""
    def use(folder: Path) -> Path:
        monkeypatch.setenv("SESAME_DATA_DIR", str(folder))
        reset_settings_cache()
        contacts.load_contacts.cache_clear()
        return folder

    yield use
    monkeypatch.delenv("SESAME_DATA_DIR", raising=False)
    reset_settings_cache()
    contacts.load_contacts.cache_clear()


def expected_what_to_do(structure_id: str | None, later: bool = False) -> str:
    """What the notice must say to do: the nearest sourced phone when contacts.yml has one, else a person."""
    sourced = tuple(c for c in contacts.load_contacts() if c.telephone and c.source_of("telephone"))
    contact = contacts.nearest(structure_id, sourced)
    if contact is not None:
        return f"appelez le {contacts.format_phone(contact.telephone)}"
    return demo.ASK_A_PERSON_LATER if later else demo.ASK_A_PERSON


# --- the conversation -------------------------------------------------------------------------------
def run(action, slots: dict[str, Any], channel: str = "rest") -> list[dict[str, Any]]:
    dispatcher = CollectingDispatcher()
    tracker = Tracker("resident-1", slots, {"text": "", "intent": {"name": ""}}, [], False, None, {}, None)
    tracker.get_latest_input_channel = lambda: channel  # type: ignore[method-assign]
    asyncio.run(action.run(dispatcher, tracker, DOMAIN))
    return dispatcher.messages


def recap_and_confirmation(place: str = "dynamo", channel: str = "rest") -> tuple[list[dict], list[dict]]:
    """What the resident is told at the recap and after booking the first offer at ``place``."""
    offer = booking_actions.app_service().search("email", place)[0]
    slots = {"booking_motif": "email", "booking_place": place, "booking_slot": offer.token,
             "booking_first_name": "Nadia", "booking_phone": "+33612345678", "booking_confirm": True}
    recap = run(booking_actions.ActionAskBookingConfirm(), slots, channel)
    confirmation = run(booking_actions.ActionBookingSubmit(), slots, channel)
    return recap, confirmation


def notices(messages: list[dict]) -> list[str]:
    return [m["text"] for m in messages if demo.DEMO_NOTICE in (m.get("text") or "")]


@pytest.mark.usefixtures("app_db")
def test_recap_and_confirmation_say_a_demo_appointment_is_not_real() -> None:
    recap, confirmation = recap_and_confirmation("dynamo")
    assert [m.get("response") for m in recap] == [None, "utter_ask_booking_confirm"]  # notice, then the question
    assert notices(recap) == [recap[0]["text"]]
    assert expected_what_to_do("dynamo") in recap[0]["text"]
    said = [m.get("response") or "notice" for m in confirmation]
    assert said[:2] == ["utter_booking_confirmed", "notice"]  # right after "C'est réservé !"
    assert notices(confirmation) == [demo.demo_notice("dynamo")]


@pytest.mark.usefixtures("app_db")
def test_on_sms_the_notice_comes_before_the_numbered_choices() -> None:
    recap, _ = recap_and_confirmation("ccas", channel="sms")
    rendered = [dict(m) for m in recap]
    rendered[1]["text"] = "Je résume : …"  # Rasa fills the template; only the order matters here
    rendered[1]["buttons"] = DOMAIN["responses"]["utter_ask_booking_confirm"][0]["buttons"]
    sms = "\n".join(render_sms([from_rasa(m) for m in rendered]).parts)
    assert sms.startswith(normalise(demo.DEMO_NOTICE))
    assert sms.endswith("Répondez 1, 2 ou 3.")


def test_a_real_agenda_gets_no_notice(app_db, tmp_path) -> None:
    engine = make_engine(app_db)
    seed(engine, real_agenda(tmp_path))  # the action server finds its database seeded already
    engine.dispose()
    recap, confirmation = recap_and_confirmation("dynamo")
    assert [m.get("response") for m in recap] == ["utter_ask_booking_confirm"]
    assert not notices(recap) and not notices(confirmation)
    assert "utter_booking_confirmed" in [m.get("response") for m in confirmation]


@pytest.mark.usefixtures("app_db")
def test_moving_to_a_demo_time_says_it_too() -> None:
    service = booking_actions.app_service()
    offers = service.search("email", "mediatheque-jean-jacques-rousseau", limit=6, max_per_day=1)
    first, later = [o for o in offers if o.start - datetime.now(timezone.utc) > timedelta(days=1)][:2]
    booked = service.book("email", first.start, first.place_id, first.conseiller_id, first_name="Nadia",
                          phone_e164="+33612345678", channel="rest")
    slots = {"booking_lookup": booked.reference, "booking_slot": later.token, "booking_move_confirm": True}
    recap = run(booking_actions.ActionAskBookingMoveConfirm(), slots)
    assert [m.get("response") for m in recap] == [None, "utter_ask_booking_move_confirm"]
    assert notices(recap)
    moved = run(booking_actions.ActionBookingMoveSubmit(), slots)
    assert [m.get("response") or "notice" for m in moved][:2] == ["utter_booking_moved", "notice"]


# --- the messages sent afterwards ---------------------------------------------------------------------
def sent_messages(engine, tmp_path: Path, data: Path, place: str = "dynamo") -> list[str]:
    """Book the first e-mail lesson at ``place`` (2 days ahead at least), then move it; every SMS sent."""
    seed(engine, data)
    service = BookingService(engine, clock=lambda: MONDAY)
    offers = service.search("email", place, max_per_day=None, limit=30)
    first, *rest = [o for o in offers if o.start - MONDAY > timedelta(days=2)]
    booked = service.book("email", first.start, first.place_id, first.conseiller_id, first_name="Nadia",
                          phone_e164="+33612345678", channel="sms")
    log_file = tmp_path / "notifications.log"
    senders = lambda channel: DevLogSender(log_file, channel)  # noqa: E731
    run_once(engine, MONDAY, senders)  # the confirmation
    later = MONDAY + timedelta(minutes=5)
    service.clock = lambda: later
    service.move(booked.reference, rest[-1].start, rest[-1].place_id, rest[-1].conseiller_id)
    run_once(engine, later, senders)  # "déplacé"
    run_once(engine, rest[-1].start - timedelta(hours=12), senders)  # the reminder of the new time
    return [json.loads(line)["body"] for line in log_file.read_text(encoding="utf-8").splitlines()]


def test_sms_confirmation_move_and_reminder_carry_the_notice(sqlite_engine, tmp_path) -> None:
    confirmation, moved, reminder = sent_messages(sqlite_engine, tmp_path, ROOT / "data")
    assert confirmation.startswith("Sésame : je confirme votre rendez-vous du ")
    assert moved.startswith("Sésame : j'ai déplacé votre rendez-vous au ")
    assert reminder.startswith("Sésame : rappel.")
    for body in (confirmation, moved, reminder):
        assert body.endswith(" " + demo.demo_notice("dynamo", later=True)), body
        assert expected_what_to_do("dynamo", later=True) in body


def test_sms_on_a_real_agenda_carry_no_notice(sqlite_engine, tmp_path) -> None:
    bodies = sent_messages(sqlite_engine, tmp_path, real_agenda(tmp_path))
    assert len(bodies) == 3 and not any(demo.DEMO_NOTICE in body for body in bodies)


def test_the_notice_says_where_to_call_only_with_a_sourced_phone(tmp_path, data_dir) -> None:
    folder = real_agenda(tmp_path)
    path = folder / "catalogue" / "contacts.yml"
    base = {"id": "ccas-chambery", "nom": "CCAS de Chambéry", "general": True, "structures": ["ccas-chambery"],
            "source": "https://www.chambery.fr/361-solidarites.htm", "date_verification": "2026-12-07"}
    path.write_text(yaml.safe_dump({"contacts": [{**base, "telephone": ""}]}, allow_unicode=True), encoding="utf-8")
    data_dir(folder)
    assert demo.demo_notice("ccas-chambery") == f"{demo.DEMO_NOTICE} {demo.ASK_A_PERSON}"
    assert demo.demo_notice("ccas-chambery", later=True) == f"{demo.DEMO_NOTICE} {demo.ASK_A_PERSON_LATER}"
    unsourced = {**base, "telephone": "+33400000000"}  # a phone no official page gives: never said
    path.write_text(yaml.safe_dump({"contacts": [unsourced]}, allow_unicode=True), encoding="utf-8")
    contacts.load_contacts.cache_clear()
    assert "04 00" not in demo.demo_notice("ccas-chambery")
    sourced = {**unsourced, "sources": {"telephone": "https://www.chambery.fr/361-solidarites.htm"}}
    path.write_text(yaml.safe_dump({"contacts": [sourced]}, allow_unicode=True), encoding="utf-8")
    contacts.load_contacts.cache_clear()
    assert demo.demo_notice("dynamo") == (
        f"{demo.DEMO_NOTICE} Pour un vrai rendez-vous, appelez le 04 00 00 00 00 (CCAS de Chambéry).")
    long_name = {**sourced, "nom": "Centre communal d'action sociale de la Ville de Chambéry, accueil du public"}
    path.write_text(yaml.safe_dump({"contacts": [long_name]}, allow_unicode=True), encoding="utf-8")
    contacts.load_contacts.cache_clear()  # too long for one SMS with its name: the phone alone
    assert demo.demo_notice("dynamo") == f"{demo.DEMO_NOTICE} Pour un vrai rendez-vous, appelez le 04 00 00 00 00."


def test_the_notices_are_plain_french_and_fit_one_sms() -> None:
    from actions.guides.falc import check_text

    names = {c.structures[0] if c.structures else c.id for c in contacts.load_contacts()}
    notices = {demo.demo_notice(s, later) for s in names | {None} for later in (False, True)}
    for text in sorted(notices) + [demo.BANNER_TEXT]:
        report = check_text(text)
        assert report.ok, report.describe(text)
    for text in notices:
        assert segment_info(normalise(text)).segments == 1, text


# --- the web chat's demo page -----------------------------------------------------------------------
def demo_page() -> str:
    from tests.channels.webchat_stack import serve_web

    with serve_web("http://localhost:5005") as base:
        response = requests.get(base + "/", timeout=5)
        css = requests.get(base + "/static/demo.css", timeout=5).text
    assert response.status_code == 200 and ".demo-banner" in css
    return response.text


def test_the_demo_page_shows_a_banner_while_the_agenda_is_demo() -> None:
    page = demo_page()
    banner = '<div class="demo-banner" role="note" aria-label="Démonstration">'
    assert banner in page and "les rendez-vous proposés ici sont des exemples" in page
    assert page.index('<main id="contenu"') < page.index(banner) < page.index("<h1>")  # first thing read in main
    assert "SESAME_DEMO_BANNER" not in page


def test_no_banner_on_a_real_agenda(tmp_path, data_dir) -> None:
    data_dir(real_agenda(tmp_path))
    page = demo_page()
    assert "demo-banner" not in page and "SESAME_DEMO_BANNER" not in page and "<h1>" in page


# --- production ------------------------------------------------------------------------------------------
PRODUCTION = {"SESAME_ENV": "production"}


def test_production_refuses_demo_data_with_what_to_do() -> None:
    with pytest.raises(demo.DemoAgendaInProduction) as refused:
        demo.refuse_demo_in_production(PRODUCTION)
    message = str(refused.value)
    assert "SESAME_ENV=production" in message and "data/booking/conseillers.yml" in message
    assert "demo: false" in message and "make seed" in message and "unset SESAME_ENV" in message
    demo.refuse_demo_in_production({"SESAME_ENV": "development"})  # a demo may run anywhere else
    demo.refuse_demo_in_production({})


def test_production_starts_on_a_real_agenda_and_retires_the_old_demo_rows(sqlite_engine, tmp_path) -> None:
    real = real_agenda(tmp_path)
    demo.refuse_demo_in_production(PRODUCTION, data_dir=real)
    seed(sqlite_engine, ROOT / "data")  # an earlier demo seed left its rows
    with pytest.raises(demo.DemoAgendaInProduction, match="app database"):
        demo.refuse_demo_in_production(PRODUCTION, data_dir=real, engine=sqlite_engine)
    conseillers = yaml.safe_load((real / "booking/conseillers.yml").read_text(encoding="utf-8"))
    conseillers["conseillers"] = [dict(c, slug=c["slug"] + "-ville") for c in conseillers["conseillers"]]
    (real / "booking/conseillers.yml").write_text(yaml.safe_dump(conseillers, allow_unicode=True), encoding="utf-8")
    seed(sqlite_engine, real)  # the city's planning, with other conseillers: the demo ones retire
    with session_scope(sqlite_engine) as session:
        assert not demo.db_agenda_is_demo(session)
    demo.refuse_demo_in_production(PRODUCTION, data_dir=real, engine=sqlite_engine)
    offers = BookingService(sqlite_engine, clock=lambda: MONDAY).search("email", None, limit=10)
    with session_scope(sqlite_engine) as session:
        assert offers and not any(demo.is_demo_offer(session, o.place_id, o.conseiller_id) for o in offers)


def test_make_run_in_production_exits_on_demo_data(tmp_path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"SESAME_DATA_DIR", "DATABASE_URL"}}
    env.update(SESAME_ENV="production", SESAME_VAR_DIR=str(tmp_path / "var"))
    done = subprocess.run([sys.executable, "-m", "tools.run"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Sésame cannot start" in done.stderr and "data/booking/conseillers.yml" in done.stderr
    assert "Starting" not in done.stdout and not (tmp_path / "var" / "logs").exists()  # nothing was started


def test_the_stack_refuses_before_starting_any_process(tmp_path) -> None:
    from tools.stack import Stack

    stack = Stack(model=tmp_path / "no-model.tar.gz", var_dir=tmp_path / "var", extra_env=PRODUCTION)
    with pytest.raises(demo.DemoAgendaInProduction):
        stack.start(timeout=5)
    assert stack.processes == {} and not (tmp_path / "var").exists()

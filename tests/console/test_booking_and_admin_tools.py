"""Booking from a case, today's appointments, the create-admin command and the mount in the web server."""
from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from actions.booking.models import Appointment
from actions.booking.seed import seed
from actions.common.db import make_engine, session_scope
from actions.handoff import accounts
from actions.handoff.models import AuditEntry, CaseMessage, ConsoleUser
from bot.console import create_admin
from bot.settings import reset_bot_settings_cache
from tests.console.conftest import PASSWORD, make_case
from tests.console.harness import csrf_of, signed_in

ROOT = Path(__file__).resolve().parents[2]


def test_book_an_appointment_from_a_case_then_see_it_in_today_s_list(server, engine):
    seed(engine, ROOT / "data")
    case_id = make_case(engine, "conv-rdv")
    http = signed_in(server, "nadia", PASSWORD)
    page = http.get(server.url(f"/console/demandes/{case_id}"))
    motif = re.search(r'<select id="motif" name="motif">\s*<option value="([^"]+)"', page.text).group(1)
    offers_page = http.get(server.url(f"/console/demandes/{case_id}?motif={motif}&lieu=")).text
    tokens = re.findall(r'name="creneau" value="([^"]+)"', offers_page)
    assert tokens, "no free slot offered"
    response = http.post(server.url(f"/console/demandes/{case_id}/rendez-vous"), allow_redirects=False,
                         data={"csrf_token": csrf_of(offers_page), "motif": motif, "creneau": tokens[0],
                               "prenom": "Awa"})
    assert response.status_code == 303, response.text
    with session_scope(engine) as session:
        appointment = session.scalars(select(Appointment)).one()
        assert appointment.first_name == "Awa" and appointment.channel == "socketio"
        told = [m.body for m in session.scalars(select(CaseMessage))]
        assert any(appointment.reference in body for body in told)  # the web chat resident reads it
        details = [a.detail for a in session.scalars(select(AuditEntry).where(AuditEntry.action == "rendez_vous"))]
        assert details and appointment.reference in details[0]
    again = http.post(server.url(f"/console/demandes/{case_id}/rendez-vous"), allow_redirects=False,
                      data={"csrf_token": csrf_of(offers_page), "motif": motif, "creneau": tokens[0]})
    assert again.status_code == 409 and "vient d'être pris" in html.unescape(again.text)


def test_today_s_appointments_page(server, engine):
    seed(engine, ROOT / "data")
    http = signed_in(server, "nadia", PASSWORD)
    page = http.get(server.url("/console/rendez-vous"))
    assert page.status_code == 200 and "Rendez-vous du jour" in page.text


def test_create_admin_from_the_environment_migrates_and_refuses_a_weak_password(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    monkeypatch.setenv("SESAME_ADMIN_USERNAME", "Chef")
    monkeypatch.setenv("SESAME_ADMIN_PASSWORD", "court")
    reset_bot_settings_cache()
    username, name, service, password = create_admin.ask(lambda _: pytest.fail("asked"), lambda _: pytest.fail("asked"))
    with pytest.raises(accounts.AccountError):
        create_admin.create_admin(url, username, name, service, password)
    create_admin.create_admin(url, username, name, service, "un mot de passe assez long")
    engine = make_engine(url)
    with session_scope(engine) as session:
        user = session.scalars(select(ConsoleUser)).one()
        assert (user.username, user.role) == ("chef", "admin")
    engine.dispose()


def test_create_admin_asks_twice_with_getpass(monkeypatch):
    for name in ("SESAME_ADMIN_USERNAME", "SESAME_ADMIN_PASSWORD", "SESAME_ADMIN_NAME"):
        monkeypatch.delenv(name, raising=False)
    reset_bot_settings_cache()
    answers = iter(["nadia", "Nadia"])
    secrets = iter(["premier mot de passe", "autre mot de passe"])
    with pytest.raises(accounts.AccountError):
        create_admin.ask(lambda _: next(answers), lambda _: next(secrets))


def test_the_web_server_mounts_the_console(monkeypatch, sqlite_url):
    """bot.webchat.server.create_app serves /console/ and still answers 404 for unknown paths."""
    from aiohttp import web

    from actions.common import db
    from actions.common.settings import reset_settings_cache
    from bot.webchat.server import create_app
    from tests.console.harness import free_port
    import asyncio
    import threading

    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    reset_settings_cache()
    db.get_engine.cache_clear()
    port = free_port()
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(create_app("http://localhost:5005"), access_log=None)

    async def start() -> None:
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()

    loop.run_until_complete(start())
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{port}"
        login = requests.get(base + "/console/connexion")
        assert login.status_code == 200 and "Se connecter" in login.text
        assert requests.get(base + "/console/", allow_redirects=False).status_code == 303
        assert requests.get(base + "/nulle-part").status_code == 404
        assert requests.get(base + "/healthz").json() == {"status": "ok"}
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        db.get_engine.cache_clear()
        reset_settings_cache()


def test_the_request_url_fix_is_needed_and_works():
    from aiohttp.test_utils import make_mocked_request

    from bot.console.compat import fix_request_url, request_url_is_broken

    fix_request_url()
    assert not request_url_is_broken()
    request = make_mocked_request("GET", "/console/x?a=1", headers={"Host": "127.0.0.1:8000"})
    assert str(request.url) == "http://127.0.0.1:8000/console/x?a=1"

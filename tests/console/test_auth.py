"""Sign-in, sessions, lock-out, CSRF, roles and security headers of the console."""
from __future__ import annotations

import requests
from sqlalchemy import select

from actions.common.db import session_scope
from actions.common.settings import get_settings
from actions.handoff.models import AuditEntry, ConsoleUser
from tests.console.conftest import ADMIN_PASSWORD, PASSWORD
from tests.console.harness import CSRF, login, post_form, signed_in

PAGES = ["/console/", "/console/demandes", "/console/demandes/1", "/console/comptes", "/console/journal",
         "/console/rendez-vous"]


def test_pages_without_a_session_redirect_to_the_login_page(server):
    for path in PAGES:
        response = requests.get(server.url(path), allow_redirects=False)
        assert response.status_code == 303, path
        assert response.headers["Location"] == "/console/connexion"


def test_json_without_a_session_is_401(server):
    response = requests.get(server.url("/console/demandes/1/messages.json?after=0"), allow_redirects=False)
    assert response.status_code == 401
    assert response.json()["error"]


def test_a_post_without_a_session_is_refused(server):
    response = requests.post(server.url("/console/demandes/1/prendre"), data={}, allow_redirects=False)
    assert response.status_code in (303, 401)


def test_login_sets_a_strict_http_only_cookie_and_opens_the_queue(server, engine):
    http, response = login(server, "nadia", PASSWORD)
    assert response.status_code == 303
    assert response.headers["Location"] == "/console/"
    cookie = response.headers["Set-Cookie"]
    assert "sesame_console=" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert "Path=/console/" in cookie
    assert "Secure" not in cookie  # plain http here; https requests get Secure
    page = http.get(server.url("/console/"))
    assert page.status_code == 200 and "Demandes des résidents" in page.text
    with session_scope(engine) as session:
        assert session.scalar(select(AuditEntry.action).where(AuditEntry.action == "connexion")) == "connexion"


def test_security_headers_on_every_page(server):
    for response in (requests.get(server.url("/console/connexion")),
                     requests.get(server.url("/console/"), allow_redirects=False),
                     requests.get(server.url("/console/static/console.css"))):
        assert "default-src 'self'" in response.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Cache-Control"] == "no-store"


def test_the_login_form_has_visible_labels(server):
    page = requests.get(server.url("/console/connexion")).text
    assert '<label for="username">Identifiant</label>' in page
    assert '<label for="password">Mot de passe</label>' in page
    assert 'href="#contenu"' in page and 'lang="fr"' in page


def test_wrong_password_refused_then_locked_with_the_same_text_for_an_unknown_name(server, engine):
    limit = get_settings().console_max_failures
    minutes = get_settings().console_lockout_minutes
    texts = {}
    for name in ("nadia", "personne-inconnue"):
        for _ in range(limit - 1):
            _, response = login(server, name, "mauvais mot de passe")
            assert response.status_code == 401
            assert "ne correspond pas" in response.text
        _, response = login(server, name, "mauvais mot de passe")
        assert response.status_code == 401
        texts[name] = CSRF.sub("", response.text.replace(name, "NAME"))
        assert f"bloqué pendant {minutes} minutes" in response.text
    assert texts["nadia"] == texts["personne-inconnue"]  # the page never says which names exist
    _, response = login(server, "nadia", PASSWORD)  # even the right password, while locked
    assert response.status_code == 401 and "bloqué" in response.text
    with session_scope(engine) as session:
        assert session.scalars(select(ConsoleUser).where(ConsoleUser.username == "nadia")).one().locked_until


def test_login_form_without_its_token_is_403(server):
    response = requests.post(server.url("/console/connexion"), data={"username": "nadia", "password": PASSWORD},
                             allow_redirects=False)
    assert response.status_code == 403


def test_post_without_or_with_a_wrong_csrf_token_is_403(server, engine):
    from tests.console.conftest import make_case

    case_id = make_case(engine, "conv-csrf")
    http = signed_in(server, "nadia", PASSWORD)
    for data in ({}, {"csrf_token": "faux"}):
        response = http.post(server.url(f"/console/demandes/{case_id}/note"), data={"note": "x", **data},
                             allow_redirects=False)
        assert response.status_code == 403
    ok = post_form(http, server, f"/console/demandes/{case_id}", f"/console/demandes/{case_id}/note", {"note": "ok"})
    assert ok.status_code == 303


def test_logout_ends_the_session(server):
    http = signed_in(server, "nadia", PASSWORD)
    response = post_form(http, server, "/console/", "/console/deconnexion", {})
    assert response.status_code == 303
    assert http.get(server.url("/console/"), allow_redirects=False).status_code == 303


def test_a_conseiller_gets_403_on_admin_pages(server):
    http = signed_in(server, "nadia", PASSWORD)
    for path in ("/console/comptes", "/console/journal"):
        assert http.get(server.url(path)).status_code == 403
    response = post_form(http, server, "/console/", "/console/comptes",
                         {"username": "x", "display_name": "X", "role": "admin", "password": "123456789012"})
    assert response.status_code == 403


def test_an_admin_creates_and_disables_an_account(server, engine):
    http = signed_in(server, "admin", ADMIN_PASSWORD)
    weak = post_form(http, server, "/console/comptes", "/console/comptes",
                     {"username": "leo", "display_name": "Léo", "service": "CCAS", "role": "conseiller",
                      "password": "court"})
    assert weak.status_code == 400 and "12 caractères" in weak.text
    response = post_form(http, server, "/console/comptes", "/console/comptes",
                         {"username": "leo", "display_name": "Léo", "service": "Maison France services",
                          "role": "conseiller", "password": "encore un mot de passe"})
    assert response.status_code == 303
    leo = signed_in(server, "leo", "encore un mot de passe")
    assert leo.get(server.url("/console/")).status_code == 200
    with session_scope(engine) as session:
        leo_id = session.scalars(select(ConsoleUser.id).where(ConsoleUser.username == "leo")).one()
    response = post_form(http, server, "/console/comptes", f"/console/comptes/{leo_id}/desactiver", {})
    assert response.status_code == 303
    assert leo.get(server.url("/console/"), allow_redirects=False).status_code == 303
    journal = http.get(server.url("/console/journal"))
    assert journal.status_code == 200 and "compte_cree" in journal.text and "compte_desactive" in journal.text

"""The conseiller console (bot.console, under /console/ of the web server), fuzzed on the real stack.

- Signed out, any method, path, form, cookie: never a 5xx, nothing stored.
- The login form with any fields, content type and CSRF token: never a 5xx, no session opened
  (the names drawn are never real accounts).
- Signed in, every form of a case with a missing or wrong CSRF token: 403 (400 when the
  form cannot be read), nothing stored; with the right token and any fields: never a 5xx, and a refused form
  stores nothing (but the audit line of the case page shown with the error: a consultation).
- Signed in, every page with any query string and any case id: never a 5xx.
"""
from __future__ import annotations

from typing import Iterator
from urllib.parse import quote

import pytest
import requests
from hypothesis import assume, given
from hypothesis import strategies as st

from bot.console.auth import COOKIE, LOGIN_COOKIE
from tests.fuzz.stack import ADMIN, CONSEILLER, TIMEOUT, console_login, csrf_of, moved
from tests.fuzz.strategies import (
    CLOSED, refused,
    binary, content_types, form_bytes, fuzz_settings, header_safe, header_values, no_5xx, query_strings, texts,
)

pytestmark = [pytest.mark.e2e, pytest.mark.rasa]

FORM = "application/x-www-form-urlencoded"
CASE_ACTIONS = ["prendre", "repondre", "note", "attendre", "rendre", "fermer", "rendez-vous"]
FIELDS = ["csrf_token", "body", "canned", "note", "outcome", "motif", "creneau", "prenom", "username",
          "password", "display_name", "service", "role"]
# Only the console's consultation audit may move when a refused form shows the case page again.
CONSULTATION = "app.console_audit"

field_values = st.one_of(texts, st.binary(max_size=30), st.sampled_from(["telephone", "admin", "conseiller", "resolu"]))
forms = st.lists(st.tuples(st.one_of(st.sampled_from(FIELDS), texts), field_values), max_size=6)
case_ids = st.one_of(st.integers(0, 5), st.integers(2**31, 2**80),
                    st.sampled_from(["٣", "１", "²", "0" * 40, "9" * 400, "9" * 5000])).map(
    lambda i: quote(str(i), safe=""))
console_paths = st.one_of(
    st.sampled_from(["/console/", "/console/demandes", "/console/connexion", "/console/deconnexion",
                     "/console/comptes", "/console/journal", "/console/rendez-vous", "/console/static/console.js",
                     "/console/static/../app.py", "/console/static/%2e%2e/app.py", "/console", "/console//"]),
    st.builds(lambda i, a: f"/console/demandes/{i}/{a}", case_ids, st.sampled_from(CASE_ACTIONS + ["messages.json"])),
    st.builds(lambda i: f"/console/demandes/{i}", case_ids),
    st.builds(lambda i: f"/console/comptes/{i}/desactiver", st.integers(100, 2**80)),
)


def multipart_bytes(pairs: list[tuple[str, str | bytes]], boundary: str = "fuzzboundary") -> bytes:
    out = b""
    for name, value in pairs:
        raw = value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")
        out += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"".encode()
                + name.encode("utf-8", "surrogatepass").replace(b'"', b"%22").replace(b"\r", b"").replace(b"\n", b"")
                + b"\"\r\n\r\n" + raw + b"\r\n")
    return out + f"--{boundary}--\r\n".encode()


encodings = st.sampled_from(["form", "form", "multipart", "raw"])


def encode(pairs: list[tuple[str, str | bytes]], encoding: str, raw: bytes, content_type: str | None
           ) -> tuple[bytes, dict[str, str]]:
    if encoding == "form":
        return form_bytes(pairs), {"Content-Type": FORM}
    if encoding == "multipart":
        return multipart_bytes(pairs), {"Content-Type": "multipart/form-data; boundary=fuzzboundary"}
    return raw, ({"Content-Type": content_type} if content_type is not None and header_safe(content_type) else {})


@pytest.fixture(scope="module")
def signed_in(fuzzed) -> Iterator[dict[str, tuple[str, str]]]:
    """{"conseiller": (cookie, csrf), "admin": (cookie, csrf)}"""
    found = {}
    for role, name in (("conseiller", CONSEILLER), ("admin", ADMIN)):
        http = console_login(fuzzed.web_url, name)
        token = csrf_of(http.get(f"{fuzzed.web_url}/console/demandes/{fuzzed.case_id}", timeout=TIMEOUT).text)
        found[role] = (http.cookies[COOKIE], token)
    yield found


@fuzz_settings(60)
@given(method=st.sampled_from(["GET", "POST", "POST", "PUT", "DELETE", "HEAD", "OPTIONS"]), path=console_paths,
       query=query_strings, pairs=forms, encoding=encodings, raw=st.one_of(st.none(), binary),
       content_type=content_types, cookie=st.one_of(st.none(), header_values))
def test_signed_out_nothing_is_done(fuzzed, method, path, query, pairs, encoding, raw, content_type, cookie) -> None:
    body, headers = encode(pairs, encoding, raw or b"", content_type)
    if cookie is not None and header_safe(cookie):
        headers["Cookie"] = f"{COOKIE}={cookie}"
    before = fuzzed.stored()
    reply = no_5xx(method, fuzzed.web_url + path + (f"?{query}" if query else ""),
                   body if method != "GET" else None, headers)
    assert not (changed := moved(before, fuzzed.stored())), f"{reply.status}, stored {changed}"


@fuzz_settings(60)
@given(username=texts, password=texts, csrf=st.sampled_from(["right", "missing", "wrong", "empty"]),
       extra=forms, encoding=encodings, raw=st.one_of(st.none(), binary), content_type=content_types,
       charset=st.sampled_from(["", "; charset=utf-8", "; charset=latin-1", "; charset=bogus", "; charset=utf-16"]))
def test_the_login_form_never_fails_and_opens_no_session(fuzzed, username, password, csrf, extra, encoding, raw,
                                                        content_type, charset) -> None:
    assume(username.strip().lower() not in {CONSEILLER, ADMIN})
    page = requests.get(fuzzed.web_url + "/console/connexion", timeout=TIMEOUT)
    token, cookie = csrf_of(page.text), page.cookies[LOGIN_COOKIE]
    pairs: list[tuple[str, str | bytes]] = [("username", username), ("password", password), *extra]
    if csrf != "missing":
        pairs.append(("csrf_token", {"right": token, "wrong": token[:-1] + "x", "empty": ""}[csrf]))
    body, headers = encode(pairs, encoding, raw or b"", content_type)
    if encoding == "form":
        headers["Content-Type"] += charset
    headers["Cookie"] = f"{LOGIN_COOKIE}={cookie}"
    before = fuzzed.stored()
    reply = no_5xx("POST", fuzzed.web_url + "/console/connexion", body, headers)
    assert refused(reply.status), reply.status
    assert not (changed := moved(before, fuzzed.stored())), f"{reply.status}, stored {changed}"


@fuzz_settings(60)
@given(action=st.sampled_from(CASE_ACTIONS), pairs=forms, csrf=st.sampled_from(["missing", "wrong", "empty"]),
       encoding=encodings, raw=st.one_of(st.none(), binary), content_type=content_types)
def test_a_case_form_without_the_csrf_token_is_refused(fuzzed, signed_in, action, pairs, csrf, encoding, raw,
                                                       content_type) -> None:
    cookie, token = signed_in["conseiller"]
    pairs = [(k, v) for k, v in pairs if k != "csrf_token"]
    if csrf != "missing":
        pairs.append(("csrf_token", token[:-1] + "x" if csrf == "wrong" else ""))
    body, headers = encode(pairs, encoding, raw or b"", content_type)
    headers["Cookie"] = f"{COOKIE}={cookie}"
    before = fuzzed.stored()
    reply = no_5xx("POST", f"{fuzzed.web_url}/console/demandes/{fuzzed.case_id}/{action}", body, headers)
    assert reply.status in (400, 403, CLOSED), reply.status  # 400: a form that cannot even be read
    assert not (changed := moved(before, fuzzed.stored())), f"{reply.status}, stored {changed}"


@fuzz_settings(80)
@given(action=st.sampled_from(CASE_ACTIONS), case_id=st.one_of(st.just(None), case_ids), pairs=forms,
       encoding=st.sampled_from(["form", "multipart"]))
def test_a_case_form_with_the_csrf_token_never_fails(fuzzed, signed_in, action, case_id, pairs, encoding) -> None:
    cookie, token = signed_in["conseiller"]
    pairs = [(k, v) for k, v in pairs if k != "csrf_token"] + [("csrf_token", token)]
    body, headers = encode(pairs, encoding, b"", None)
    headers["Cookie"] = f"{COOKIE}={cookie}"
    before = fuzzed.stored()
    case = fuzzed.case_id if case_id is None else case_id
    reply = no_5xx("POST", f"{fuzzed.web_url}/console/demandes/{case}/{action}", body, headers)
    if reply.status >= 400:
        changed = moved(before, fuzzed.stored())
        changed.pop(CONSULTATION, None)
        assert not changed, f"refused with {reply.status}, stored {changed}"


@fuzz_settings(60)
@given(role=st.sampled_from(["conseiller", "admin"]),
       path=st.one_of(console_paths, st.sampled_from(["/console/", "/console/journal", "/console/comptes",
                                                       "/console/rendez-vous", "/console/demandes/{case}",
                                                       "/console/demandes/{case}/messages.json"])),
       query=st.one_of(query_strings, st.builds(
           lambda k, v: f"{k}={quote(v.encode('utf-8', 'surrogatepass'), safe='')}",
           st.sampled_from(["onglet", "theme", "canal", "urgence", "motif", "lieu", "info", "after", "demande", "fin"]),
           st.one_of(st.sampled_from(["nan", "inf", "-inf", "1e999", "9" * 30, "٣", "²", "-1", "0x10"]), texts))),
       accept=st.sampled_from(["text/html", "application/json", "*/*"]))
def test_every_page_with_any_query_never_fails(fuzzed, signed_in, role, path, query, accept) -> None:
    cookie, _ = signed_in[role]
    path = path.replace("{case}", str(fuzzed.case_id))
    no_5xx("GET", fuzzed.web_url + path + (f"?{query}" if query else ""),
           headers={"Cookie": f"{COOKIE}={cookie}", "Accept": accept})


PAGE_FILTERS = {"/console/": ["onglet", "theme", "canal", "urgence"], "/console/journal": ["demande"],
                "/console/demandes/{case}": ["motif", "lieu", "info"],
                "/console/demandes/{case}/messages.json": ["after"], "/console/connexion": ["fin"]}
odd_values = st.one_of(st.sampled_from(["", "nan", "inf", "1e999", "9" * 30, "9" * 5000, "٣", "²", "１", "-1", "0x10"]),
                       texts)


@fuzz_settings(50)
@given(page=st.sampled_from(sorted(PAGE_FILTERS)), data=st.data())
def test_every_page_filter_with_any_value_never_fails(fuzzed, signed_in, page, data) -> None:
    """Each page's own query parameters (as the admin: every page is open), any value."""
    cookie, _ = signed_in["admin"]
    pairs = data.draw(st.lists(st.tuples(st.sampled_from(PAGE_FILTERS[page]), odd_values), min_size=1, max_size=3))
    query = "&".join(f"{k}={quote(v.encode('utf-8', 'surrogatepass'), safe='')}" for k, v in pairs)
    no_5xx("GET", fuzzed.web_url + page.replace("{case}", str(fuzzed.case_id)) + "?" + query,
           headers={"Cookie": f"{COOKIE}={cookie}"})


@fuzz_settings(40)
@given(action=st.sampled_from(["create", "disable"]), pairs=forms, target=st.integers(100, 2**80),
       encoding=st.sampled_from(["form", "multipart"]))
def test_the_admin_forms_with_the_csrf_token_never_fail(fuzzed, signed_in, action, pairs, target, encoding) -> None:
    cookie, token = signed_in["admin"]
    pairs = [(k, v) for k, v in pairs if k != "csrf_token"] + [("csrf_token", token)]
    body, headers = encode(pairs, encoding, b"", None)
    headers["Cookie"] = f"{COOKIE}={cookie}"
    path = "/console/comptes" if action == "create" else f"/console/comptes/{target}/desactiver"
    before = fuzzed.stored()
    reply = no_5xx("POST", fuzzed.web_url + path, body, headers)
    if reply.status >= 400:
        assert not (changed := moved(before, fuzzed.stored())), f"refused with {reply.status}, stored {changed}"

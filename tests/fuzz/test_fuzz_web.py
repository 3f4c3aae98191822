"""The web server (bot.webchat.server): /, /healthz, /rdv/{name}.ics, /chat/messages, /chat/export,
/static/…, and any other path, fuzzed on the real stack.

Never a 5xx, nothing stored, and /static/ never serves a file from outside its folder.
"""
from __future__ import annotations

from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz.stack import CASE_CONVERSATION, moved
from tests.fuzz.strategies import (
    binary, content_types, fuzz_settings, header_safe, header_values, no_5xx, query_strings, texts,
)

pytestmark = [pytest.mark.e2e, pytest.mark.rasa]

METHODS = st.sampled_from(["GET", "GET", "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"])


def segment(value: str) -> str:
    """One path segment, percent-encoded (lone surrogates as their UTF-8-ish bytes)."""
    return quote(value.encode("utf-8", "surrogatepass"), safe="")


raw_segments = st.one_of(texts.map(segment), st.sampled_from([
    "..", "%2e%2e", "%2e%2e%2f", "..%2f..%2f..%2fpyproject.toml", "%00", "%", "%zz", "%ff", ";", "~", "",
    "sesame-chat.js", "index.html", "vendor", ".", "//", "%5c..%5c",
]))
paths = st.lists(raw_segments, min_size=1, max_size=5).map(lambda parts: "/".join(parts))


def _check(fuzzed, method, path, query="", body=None, headers=None):  # type: ignore[no-untyped-def]
    before = fuzzed.stored()
    reply = no_5xx(method, fuzzed.web_url + path + (f"?{query}" if query else ""), body, headers)
    assert not (changed := moved(before, fuzzed.stored())), f"{method} {path} stored {changed}"
    return reply


@fuzz_settings(60)
@given(route=st.sampled_from(["/", "/healthz", "/chat/messages", "/chat/export", "/static/sesame-chat.js"]),
       method=METHODS, query=query_strings, body=st.one_of(st.none(), binary), content_type=content_types,
       accept=st.one_of(st.none(), header_values))
def test_the_pages_never_fail(fuzzed, route, method, query, body, content_type, accept) -> None:
    headers = {k: v for k, v in (("Content-Type", content_type), ("Accept", accept))
               if v is not None and header_safe(v)}
    _check(fuzzed, method, route, query, body, headers)


@fuzz_settings(60)
@given(conversation=st.one_of(texts, st.just(CASE_CONVERSATION)),
       after=st.one_of(texts, st.integers().map(str), st.integers(2**63 - 5, 2**80).map(str),
                       st.integers(max_value=-(2**63)).map(str), st.just("9" * 5000)))
def test_chat_messages_with_any_conversation_and_after(fuzzed, conversation, after) -> None:
    query = f"conversation={segment(conversation)}&after={segment(after)}"
    reply = _check(fuzzed, "GET", "/chat/messages", query)
    if reply.status == 200:
        assert set(reply.json()) == {"case", "messages"}


@fuzz_settings(40)
@given(token=st.one_of(texts, st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.", max_size=700)))
def test_chat_export_with_any_token(fuzzed, token) -> None:
    reply = _check(fuzzed, "GET", "/chat/export", f"t={segment(token)}")
    assert reply.status in (400, 410), reply.status


@fuzz_settings(50)
@given(name=st.one_of(texts, st.from_regex(r"\A[A-Z0-9]{5,8}-[A-Za-z0-9_-]{0,40}\Z")), query=query_strings)
def test_an_ics_link_with_any_name(fuzzed, name, query) -> None:
    reply = _check(fuzzed, "GET", f"/rdv/{segment(name)}.ics", query)
    assert reply.status in (404, 400), reply.status


@fuzz_settings(60)
@given(path=paths, method=st.sampled_from(["GET", "HEAD"]))
def test_static_serves_nothing_from_outside_its_folder(fuzzed, path, method) -> None:
    reply = _check(fuzzed, method, "/static/" + path)
    if reply.status == 200 and method == "GET":
        for secret in (b"[build-system]", b"root:x:", b"from __future__", b"SESAME_HASH_SALT"):
            assert secret not in reply.body, f"/static/{path} served {reply.body[:200]!r}"


@fuzz_settings(40)
@given(path=paths, method=METHODS, query=query_strings, body=st.one_of(st.none(), binary))
def test_any_other_path(fuzzed, path, method, query, body) -> None:
    _check(fuzzed, method, "/" + path, query, body)

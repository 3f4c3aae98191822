"""The signed SMS webhook (bot.channels.sms.SmsInput), fuzzed on the real stack.

- A request without Twilio's valid signature, whatever its form, content type or query
  string: refused with a 4xx, never a 5xx, and nothing is stored (no tracker event, no row,
  no SMS in the outbox).
- A validly signed request with any From, Body and extra fields: never a 5xx; a refused
  one stores nothing.
"""
from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from bot.channels.twilio_signature import compute_signature
from tests.fuzz.stack import TWILIO_TOKEN, moved
from tests.fuzz.strategies import (
    refused,
    binary, content_types, form_bytes, fuzz_settings, header_safe, header_values, no_5xx, query_strings, texts,
)

pytestmark = [pytest.mark.e2e, pytest.mark.rasa]

FORM = "application/x-www-form-urlencoded"
phones = st.one_of(st.from_regex(r"\A\+33[67]\d{8}\Z"), st.from_regex(r"\A\+\d{1,15}\Z"), texts)
fields = st.lists(st.tuples(st.one_of(st.sampled_from(["From", "Body", "To", "MessageSid", "NumMedia"]), texts),
                            st.one_of(texts, st.binary(max_size=20))), max_size=6)


def _params(pairs: list[tuple[str, str | bytes]]) -> list[tuple[str, str]]:
    """The fields as the server parses them (str), for signing."""
    return [(k, v.decode("utf-8", "replace") if isinstance(v, bytes) else v) for k, v in pairs]


def _utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


signatures = st.one_of(
    st.none(), st.just(""), header_values,
    st.sampled_from(["signed-with-another-token", "signed-for-another-url", "signed-without-a-field"]),
)


@fuzz_settings(80)
@given(pairs=fields, body=st.one_of(st.none(), binary), content_type=content_types, query=query_strings,
       signature=signatures)
def test_an_unsigned_request_is_refused_and_stores_nothing(fuzzed, pairs, body, content_type, query,
                                                           signature) -> None:
    url = f"{fuzzed.rasa_url}/webhooks/sms/webhook" + (f"?{query}" if query else "")
    raw = body if body is not None else form_bytes(pairs)
    params = _params(pairs)
    if signature in ("signed-with-another-token", "signed-for-another-url", "signed-without-a-field"):
        assume(all(_utf8(k) and _utf8(v) for k, v in params))  # what can be signed at all
    if signature == "signed-with-another-token":
        signature = compute_signature("not-" + TWILIO_TOKEN, url, params)
    elif signature == "signed-for-another-url":
        signature = compute_signature(TWILIO_TOKEN, url + "x", params)
    elif signature == "signed-without-a-field":
        signature = compute_signature(TWILIO_TOKEN, url, params + [("From", "+33612345678")])
    headers = {"Content-Type": content_type} if content_type is not None else {}
    if signature is not None:
        assume(header_safe(signature))
        headers["X-Twilio-Signature"] = signature
    before = fuzzed.stored()
    reply = no_5xx("POST", url, raw, headers)
    assert refused(reply.status), reply.text[:300]
    assert not (changed := moved(before, fuzzed.stored())), f"refused with {reply.status}, stored {changed}"


@fuzz_settings(50)
@given(phone=phones, text=st.one_of(texts, st.none()), extra=fields, query=query_strings,
       charset=st.sampled_from(["", "; charset=utf-8", "; charset=latin-1", "; charset=bogus"]))
def test_a_signed_request_never_fails_and_stores_nothing_it_refuses(fuzzed, phone, text, extra, query,
                                                                   charset) -> None:
    url = f"{fuzzed.rasa_url}/webhooks/sms/webhook" + (f"?{query}" if query else "")
    pairs: list[tuple[str, str | bytes]] = [("From", phone), ("To", "+33700000000")]
    if text is not None:
        pairs.append(("Body", text))
    pairs += extra
    params = _params(pairs)
    assume(all(_utf8(k) and _utf8(v) for k, v in params))  # Twilio signs UTF-8 text: no lone surrogate
    headers = {"Content-Type": FORM + charset,
               "X-Twilio-Signature": compute_signature(TWILIO_TOKEN, url, params)}
    before = fuzzed.stored()
    reply = no_5xx("POST", url, form_bytes(pairs), headers)
    if reply.status >= 400:
        assert not (changed := moved(before, fuzzed.stored())), f"refused with {reply.status}, stored {changed}"
    else:
        assert "<Response>" in reply.text


@fuzz_settings(30)
@given(method=st.sampled_from(["GET", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"]),
       path=st.sampled_from(["/webhooks/sms/webhook", "/webhooks/sms/", "/webhooks/sms/webhook/", "/webhooks/sms/x"]),
       query=query_strings)
def test_other_methods_and_paths(fuzzed, method, path, query) -> None:
    before = fuzzed.stored()
    reply = no_5xx(method, fuzzed.rasa_url + path + (f"?{query}" if query else ""))
    if reply.status >= 400:
        assert not moved(before, fuzzed.stored())

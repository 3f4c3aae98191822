"""Rasa's REST webhook (bot.channels.rest.GuardedRestInput), fuzzed on the real stack.

Whatever is posted: never a 5xx, and a refused request (4xx) stores nothing (tracker store,
app database). A well-formed message with any text gets Rasa's reply format, a list.
"""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz.stack import moved
from tests.fuzz.strategies import (
    binary, content_types, dict_with, fuzz_settings, huge_texts, json_bytes, json_values, no_5xx,
    query_strings, texts,
)

pytestmark = [pytest.mark.e2e, pytest.mark.rasa]

rest_bodies = st.one_of(
    binary,
    json_values.map(json_bytes),
    dict_with({"message": st.one_of(huge_texts, json_values), "sender": st.one_of(texts, json_values),
               "metadata": json_values, "input_channel": json_values}).map(json_bytes),
)


@fuzz_settings(80)
@given(body=rest_bodies, content_type=content_types,
       query=st.one_of(query_strings, st.sampled_from(["stream=true", "stream=1", "stream=%ff"])))
def test_the_rest_webhook_never_fails_and_stores_nothing_it_refuses(fuzzed, body, content_type, query) -> None:
    url = f"{fuzzed.rasa_url}/webhooks/rest/webhook" + (f"?{query}" if query else "")
    headers = {"Content-Type": content_type} if content_type is not None else {}
    before = fuzzed.stored()
    reply = no_5xx("POST", url, body, headers)
    if reply.status >= 400:
        assert not (changed := moved(before, fuzzed.stored())), f"refused with {reply.status}, stored {changed}"
    elif "stream" not in query:
        assert isinstance(reply.json(), list), reply.text[:300]


@fuzz_settings(40)
@given(text=huge_texts, sender=st.one_of(texts, st.integers()))
def test_any_text_from_any_sender_gets_a_reply(fuzzed, text, sender) -> None:
    """A well-formed message: Rasa answers (or the limits do), whatever the characters."""
    reply = no_5xx("POST", f"{fuzzed.rasa_url}/webhooks/rest/webhook",
                   json_bytes({"sender": sender, "message": text}), {"Content-Type": "application/json"})
    if reply.status < 400:
        assert isinstance(reply.json(), list) and reply.json(), reply.text[:300]


@fuzz_settings(30)
@given(method=st.sampled_from(["GET", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "POST"]),
       path=st.sampled_from(["/webhooks/rest/webhook", "/webhooks/rest/", "/webhooks/rest", "/webhooks/rest/webhook/x",
                             "/webhooks/rest//webhook", "/webhooks/%72est/webhook", "/webhooks/rest/webhook%00"]),
       body=st.one_of(st.none(), binary))
def test_other_methods_and_paths(fuzzed, method, path, body) -> None:
    before = fuzzed.stored()
    reply = no_5xx(method, fuzzed.rasa_url + path, body)
    if reply.status >= 400:
        assert not (changed := moved(before, fuzzed.stored())), f"refused with {reply.status}, stored {changed}"

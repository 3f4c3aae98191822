"""The Telegram webhook (bot.channels.telegram.TelegramInput), fuzzed on the real stack.

- Without the right X-Telegram-Bot-Api-Secret-Token, whatever the body: 403 (or 413), never
  a 5xx; no Bot API call and nothing stored.
- With the secret, any JSON, any update shape (wrong types, missing fields, huge ids, group
  chats, button presses with unknown data): never a 5xx.
"""
from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from bot.channels.telegram import SECRET_HEADER
from tests.fuzz.stack import TELEGRAM_SECRET, moved
from tests.fuzz.strategies import (
    CLOSED,
    binary, content_types, dict_with, fuzz_settings, header_safe, header_values, huge_texts, json_bytes,
    json_values, no_5xx, query_strings, texts,
)

pytestmark = [pytest.mark.e2e, pytest.mark.rasa]

ids = st.one_of(st.integers(-(2**63), 2**63), st.integers(1, 10**9), json_values)
chats = dict_with({"id": ids, "type": st.one_of(st.sampled_from(["private", "group", "supergroup", "channel"]),
                                                json_values)})
users = dict_with({"id": ids, "is_bot": json_values, "first_name": st.one_of(texts, json_values)})
messages = dict_with({"message_id": ids, "date": st.one_of(st.integers(0, 2**40), json_values), "chat": chats,
                      "from": users, "text": st.one_of(huge_texts, json_values),
                      "photo": st.lists(dict_with({"file_id": texts, "width": ids, "height": ids}), max_size=2)})
callbacks = dict_with({"id": st.one_of(texts, json_values), "from": users, "chat_instance": texts,
                       "data": st.one_of(texts, json_values), "message": messages})
updates = dict_with({"update_id": ids, "message": messages, "edited_message": messages, "callback_query": callbacks})
bodies = st.one_of(binary, json_values.map(json_bytes), updates.map(json_bytes))


@fuzz_settings(60)
@given(body=bodies, content_type=content_types, query=query_strings,
       secret=st.one_of(st.none(), st.just(""), header_values, st.just(TELEGRAM_SECRET + "x"),
                        st.just(TELEGRAM_SECRET[:-1]), st.just(TELEGRAM_SECRET.upper())))
def test_without_the_secret_nothing_is_done(fuzzed, body, content_type, query, secret) -> None:
    headers = {"Content-Type": content_type} if content_type is not None else {}
    if secret is not None:
        assume(header_safe(secret) and secret != TELEGRAM_SECRET)
        headers[SECRET_HEADER] = secret
    url = f"{fuzzed.rasa_url}/webhooks/telegram/webhook" + (f"?{query}" if query else "")
    before = fuzzed.stored()
    reply = no_5xx("POST", url, body, headers)
    assert reply.status in (403, 413, 414, CLOSED), reply.text[:300]
    assert not (changed := moved(before, fuzzed.stored())), f"refused with {reply.status}, stored {changed}"


@fuzz_settings(70)
@given(body=bodies, content_type=st.one_of(st.just("application/json"), content_types))
def test_with_the_secret_any_update_is_acknowledged(fuzzed, body, content_type) -> None:
    headers = {SECRET_HEADER: TELEGRAM_SECRET}
    if content_type is not None:
        headers["Content-Type"] = content_type
    before = fuzzed.stored()
    reply = no_5xx("POST", f"{fuzzed.rasa_url}/webhooks/telegram/webhook", body, headers)
    if reply.status >= 400:
        assert not (changed := moved(before, fuzzed.stored())), f"refused with {reply.status}, stored {changed}"


@fuzz_settings(20)
@given(method=st.sampled_from(["GET", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"]),
       path=st.sampled_from(["/webhooks/telegram/webhook", "/webhooks/telegram/", "/webhooks/telegram/webhook/x"]))
def test_other_methods_and_paths(fuzzed, method, path) -> None:
    before = fuzzed.stored()
    reply = no_5xx(method, fuzzed.rasa_url + path, headers={SECRET_HEADER: TELEGRAM_SECRET})
    if reply.status >= 400:
        assert not moved(before, fuzzed.stored())

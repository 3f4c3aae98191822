"""The action server (actions.server: rasa-sdk behind X-Sesame-Action-Secret), fuzzed on the real stack.

- Without the secret (missing or wrong header), any method, path and body: 401/403/404/405,
  never a 5xx, and no action runs (nothing stored).
- With the secret, any body on /webhook (not JSON, not an object, a tracker of the wrong
  shape, an unknown action, a deflate header on junk): never a 5xx; a refused call stores
  nothing.
- With the secret, every real action called with a well-formed tracker holding any user text
  and slots: never a 5xx.
- /health: always 200, whatever the query string.
"""
from __future__ import annotations

import json
import urllib.request
import zlib

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from actions.server import SECRET_HEADER
from tests.fuzz.stack import ACTION_SECRET, moved
from tests.fuzz.strategies import (
    CLOSED, refused,
    binary, content_types, dict_with, fuzz_settings, header_safe, header_values, json_bytes, json_values, no_5xx,
    query_strings, texts,
)

pytestmark = [pytest.mark.e2e, pytest.mark.rasa]


@pytest.fixture(scope="module")
def action_names(fuzzed) -> list[str]:
    request = urllib.request.Request(fuzzed.actions_url + "/actions", headers={SECRET_HEADER: ACTION_SECRET})
    with urllib.request.urlopen(request, timeout=30) as response:
        names = [entry["name"] for entry in json.loads(response.read())]
    assert names
    return names


trackers = dict_with({"sender_id": st.one_of(texts, json_values), "slots": json_values,
                      "latest_message": json_values, "events": json_values, "paused": json_values,
                      "followup_action": json_values, "active_loop": json_values,
                      "latest_action_name": json_values})


def calls(names: st.SearchStrategy[str]) -> st.SearchStrategy[dict]:
    return dict_with({"next_action": st.one_of(names, json_values), "sender_id": json_values,
                      "tracker": st.one_of(trackers, json_values), "domain": json_values,
                      "version": st.one_of(st.sampled_from(["3.6.21", "3.6", "", "x.y.z"]), json_values)})


@fuzz_settings(60)
@given(method=st.sampled_from(["POST", "POST", "GET", "PUT", "DELETE", "OPTIONS"]),
       path=st.sampled_from(["/webhook", "/actions", "/webhook/", "/", "/health/x", "/webhook?x=1"]),
       body=st.one_of(st.none(), binary, calls(st.sampled_from(["action_search_service", "action_greet_user",
                                                                  "action_default_fallback"])).map(json_bytes)),
       secret=st.one_of(st.none(), st.just(""), header_values, st.just(ACTION_SECRET[:-1]),
                        st.just(ACTION_SECRET + " "), st.just(ACTION_SECRET.upper())),
       content_type=content_types)
def test_without_the_secret_no_action_runs(fuzzed, method, path, body, secret, content_type) -> None:
    headers = {"Content-Type": content_type} if content_type is not None else {}
    if secret is not None:
        assume(header_safe(secret) and secret != ACTION_SECRET)
        headers[SECRET_HEADER] = secret
    before = fuzzed.stored()
    reply = no_5xx(method, fuzzed.actions_url + path, body, headers)
    if method == "OPTIONS":  # a CORS preflight, answered by sanic-cors: empty, runs nothing
        assert reply.status in (200, 401, 403, 404, 405, CLOSED) and not reply.body, reply
    else:
        assert refused(reply.status), reply.status
    assert not (changed := moved(before, fuzzed.stored())), f"refused with {reply.status}, stored {changed}"


@fuzz_settings(80)
@given(data=st.data(), raw=st.one_of(st.none(), binary), deflate=st.booleans(), content_type=content_types)
def test_with_the_secret_any_body_is_answered_without_a_5xx(fuzzed, action_names, data, raw, deflate,
                                                            content_type) -> None:
    call = data.draw(st.one_of(json_values, calls(st.sampled_from(action_names + ["action_that_does_not_exist"]))))
    body = raw if raw is not None else json_bytes(call)
    if deflate and data.draw(st.booleans()):
        body = zlib.compress(body)
    headers = {SECRET_HEADER: ACTION_SECRET}
    if content_type is not None:
        headers["Content-Type"] = content_type
    if deflate:
        headers["Content-Encoding"] = "deflate"
    before = fuzzed.stored()
    reply = no_5xx("POST", fuzzed.actions_url + "/webhook", body, headers)
    if reply.status >= 400:
        assert not (changed := moved(before, fuzzed.stored())), f"refused with {reply.status}, stored {changed}"


@fuzz_settings(80)
@given(data=st.data(), text=texts, sender=texts, slots=st.dictionaries(texts, json_values, max_size=4))
def test_every_action_with_any_user_text_never_fails(fuzzed, action_names, data, text, sender, slots) -> None:
    name = data.draw(st.sampled_from(action_names))
    call = {"next_action": name, "sender_id": sender, "version": "3.6.21", "domain": {},
            "tracker": {"sender_id": sender or "fuzz", "slots": slots, "events": [], "paused": False,
                        "latest_message": {"text": text, "intent": {"name": "greet", "confidence": 1.0},
                                           "entities": []},
                        "latest_action_name": "action_listen", "active_loop": {}, "followup_action": None}}
    no_5xx("POST", fuzzed.actions_url + "/webhook", json_bytes(call),
           {SECRET_HEADER: ACTION_SECRET, "Content-Type": "application/json"})


@fuzz_settings(20)
@given(query=query_strings, secret=st.one_of(st.none(), header_values))
def test_health_stays_open(fuzzed, query, secret) -> None:
    headers = {SECRET_HEADER: secret} if secret is not None and header_safe(secret) else {}
    url = fuzzed.actions_url + "/health" + (f"?{query}" if query else "")
    reply = no_5xx("GET", url, headers=headers)
    if len(url) < 8000:  # Sanic refuses a longer request line before routing it
        assert reply.status == 200, reply

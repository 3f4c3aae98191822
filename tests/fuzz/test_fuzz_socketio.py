"""The web chat's socket.io channel (bot.channels.socketio.SesameSocketIOInput), fuzzed on the real stack.

- engine.io's HTTP endpoint (/socket.io/): any method, query string, body, Origin: never a 5xx,
  nothing stored.
- socket.io events: ``session_request`` and ``user_uttered`` with any payload (not an object,
  no or odd ``session_id``, ``message`` of any type, ``metadata`` that is not an object, extra
  arguments): the handlers never fail (no "handler error" in Rasa's log, where python-socketio
  reports a handler's exception), a malformed payload stores nothing, and the server still
  answers a well-formed message on another connection right after.
"""
from __future__ import annotations

import threading
import time
from typing import Any, Iterator

import pytest
import socketio
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz.stack import moved
from tests.fuzz.strategies import (
    binary, content_types, dict_with, fuzz_settings, header_safe, header_values, huge_texts, json_values, no_5xx,
    query_strings, texts,
)

pytestmark = [pytest.mark.e2e, pytest.mark.rasa]

PROBE = "fuzz-socketio-probe"


class WebChat:
    """A socket.io client as the widget is one (polling transport), recording what it receives."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.received: list[Any] = []
        self.confirmed: list[Any] = []
        self._got = threading.Condition()
        self.connect()

    def connect(self) -> None:
        self.client = socketio.Client(reconnection=False)
        self.client.on("bot_uttered", self._on_bot)
        self.client.on("session_confirm", self._on_confirm)
        self.client.connect(self.url, transports=["polling"], socketio_path="/socket.io", wait_timeout=20)

    def _on_bot(self, data: Any = None) -> None:
        with self._got:
            self.received.append(data)
            self._got.notify_all()

    def _on_confirm(self, data: Any = None) -> None:
        with self._got:
            self.confirmed.append(data)
            self._got.notify_all()

    def session(self, session_id: str) -> None:
        before = len(self.confirmed)
        self.client.emit("session_request", {"session_id": session_id})
        with self._got:
            assert self._got.wait_for(lambda: len(self.confirmed) > before, 20), "no session_confirm"

    def say(self, session_id: str, text: str, timeout: float = 30) -> list[Any]:
        before = len(self.received)
        self.client.emit("user_uttered", {"message": text, "session_id": session_id})
        with self._got:
            assert self._got.wait_for(lambda: len(self.received) > before, timeout), f"no reply to {text!r}"
        time.sleep(0.1)
        return self.received[before:]

    def close(self) -> None:
        self.client.eio.disconnect(abort=True)  # without waiting for the pending long poll


@pytest.fixture(scope="module")
def chats(fuzzed) -> Iterator[tuple[WebChat, WebChat]]:
    """(fuzzer, probe): the probe's session only receives its own replies."""
    fuzzer, probe = WebChat(fuzzed.rasa_url), WebChat(fuzzed.rasa_url)
    probe.session(PROBE)
    try:
        yield fuzzer, probe
    finally:
        fuzzer.close()
        probe.close()


def settle(fuzzed, quiet: float = 1.0, timeout: float = 30) -> None:
    """Wait until nothing more is stored (a well-formed message's turn runs after the probe's reply)."""
    last, since, deadline = fuzzed.stored(but=(PROBE,)), time.monotonic(), time.monotonic() + timeout
    while time.monotonic() - since < quiet and time.monotonic() < deadline:
        time.sleep(0.2)
        now = fuzzed.stored(but=(PROBE,))
        if now != last:
            last, since = now, time.monotonic()


def rasa_log(fuzzed) -> bytes:
    return (fuzzed.logs / "rasa.log").read_bytes()


def well_formed(data: Any) -> bool:
    """What the channel may pass to Rasa: an object with a text session id and a text message."""
    return (isinstance(data, dict) and isinstance(data.get("session_id"), str) and bool(data["session_id"])
            and isinstance(data.get("message", ""), str))


payloads = st.one_of(
    json_values,
    dict_with({"session_id": st.one_of(texts, json_values), "message": st.one_of(huge_texts, json_values),
               "metadata": st.one_of(json_values, texts, st.just('{"a": 1}'), st.just("{not json"))}),
)
arguments = st.one_of(payloads.map(lambda p: ("one", p)), st.just(("none", None)),
                      st.lists(payloads, min_size=2, max_size=3).map(lambda ps: ("many", tuple(ps))))


def emit(client: socketio.Client, event: str, argument: tuple[str, Any]) -> None:
    kind, value = argument
    if kind == "none":
        client.emit(event)
    else:
        client.emit(event, value)  # a tuple is sent as several arguments


@fuzz_settings(50)
@given(event=st.sampled_from(["session_request", "user_uttered"]), argument=arguments)
def test_any_event_payload_is_handled_and_a_malformed_one_stores_nothing(fuzzed, chats, event, argument) -> None:
    fuzzer, probe = chats
    if not fuzzer.client.connected:  # engine.io closes a connection that sent a frame over 1 MB
        fuzzer.connect()
    log_before = len(rasa_log(fuzzed))
    before = fuzzed.stored(but=(PROBE,))
    emit(fuzzer.client, event, argument)
    assert probe.say(PROBE, "bonjour"), "the server stopped answering"
    time.sleep(0.2)  # the fuzzed event's handler runs as its own task
    errors = [line for line in rasa_log(fuzzed)[log_before:].decode("utf-8", "replace").splitlines()
              if "handler error" in line or "Traceback" in line]
    assert not errors, errors
    kind, value = argument
    first = value[0] if kind == "many" else value  # python-socketio passes extra arguments on; the first counts
    if event == "session_request" or kind == "none" or not well_formed(first):
        assert not (changed := moved(before, fuzzed.stored(but=(PROBE,)))), f"stored {changed}"
    else:
        settle(fuzzed)  # its turn is stored before the next example counts


@fuzz_settings(50)
@given(method=st.sampled_from(["GET", "POST", "OPTIONS", "PUT", "DELETE", "HEAD"]),
       path=st.sampled_from(["/socket.io/", "/socket.io", "/socket.io/x", "/socket.io/?"]),
       query=st.one_of(query_strings, st.builds(
           lambda eio, transport, sid, rest: f"EIO={eio}&transport={transport}&sid={sid}&{rest}",
           st.sampled_from(["4", "3", "5", "0", "", "x", "9" * 30]),
           st.sampled_from(["polling", "websocket", "", "x", "polling%00"]),
           st.one_of(st.just(""), st.text("abcdefABCDEF0123456789-_", max_size=24)), query_strings)),
       body=st.one_of(st.none(), binary, st.sampled_from([b"40", b"42[\"user_uttered\",{}]", b"1", b"\x1e\x1e", b"4"])),
       content_type=content_types,
       origin=st.one_of(st.none(), st.just("http://evil.example"), st.just("null"), header_values))
def test_the_engineio_endpoint_never_fails(fuzzed, method, path, query, body, content_type, origin) -> None:
    headers = {}
    if content_type is not None:
        headers["Content-Type"] = content_type
    if origin is not None and header_safe(origin):
        headers["Origin"] = origin
    before = fuzzed.stored(but=(PROBE,))
    reply = no_5xx(method, fuzzed.rasa_url + path + (f"?{query}" if query else ""), body, headers)
    if reply.status >= 400:
        assert not moved(before, fuzzed.stored(but=(PROBE,)))

"""What the fuzz tests send, and how: Hypothesis strategies, settings, and a raw HTTP client.

The client is http.client, not requests: a fuzzed request must reach the server as drawn
(requests would re-quote a query string, encode text bodies and fix the content type).
"""
from __future__ import annotations

import http.client
import json
import os
from dataclasses import dataclass
from typing import Any, Mapping
from urllib.parse import quote, urlsplit

from hypothesis import HealthCheck, Phase, event, settings
from hypothesis import strategies as st


def fuzz_settings(max_examples: int) -> settings:
    """Every fuzz test's settings; SESAME_FUZZ_EXAMPLES scales the examples (e.g. 3 for a long hunt),
    SESAME_FUZZ_SHRINK=0 reports a failure as found, without shrinking it (faster on a slow server)."""
    scale = float(os.environ.get("SESAME_FUZZ_EXAMPLES", "1"))
    phases = tuple(Phase) if os.environ.get("SESAME_FUZZ_SHRINK", "1") != "0" else (
        Phase.explicit, Phase.reuse, Phase.generate)
    return settings(
        phases=phases,
        max_examples=max(1, round(max_examples * scale)),
        deadline=None,  # real servers on 2 busy cores: timing is not what is tested
        print_blob=True,  # a failure prints @reproduce_failure, and replays first on the next run
        # (from .hypothesis/, which Hypothesis keeps out of git with its own .gitignore)
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                               HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )


# --- text ---------------------------------------------------------------------------------------
NASTY = [
    "", " ", "\x00", "\r\n", "\ud800", "\udfff\ud800", "\ufeff", "\u202e", "\u200b" * 50, "é" * 3,
    "e\u0301" * 40, "🙂" * 700, "𝕊é𝕤𝕒𝕞𝕖", "null", "None", "[]", "{}", "0", "-1", "1e999", "NaN",
    "../../../etc/passwd", "%2e%2e%2f", "<script>alert(1)</script>", "' OR 1=1 --", "{{7*7}}",
    "${jndi:ldap://x}", "/greet", "/urgent_suicide", '/ask_rights{"theme":', '/book{"a":' + "[" * 200,
    "/restart", "/session_start", "STOP", "AIDE", "1", "\\", "\"", "%", "%ff", "٣", "²", "9" * 30,
]

any_char = st.characters(exclude_categories=())  # every code point, lone surrogates included


def repeated(max_size: int) -> st.SearchStrategy[str]:
    """A long string (up to ``max_size`` characters) built cheaply: a short chunk repeated."""
    return st.builds(lambda chunk, n: (chunk * n)[:max_size], st.text(any_char, min_size=1, max_size=8),
                     st.integers(0, max_size))


texts = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=60),
    st.text(any_char, max_size=60),
    repeated(5000),
)
huge_texts = st.one_of(texts, repeated(200_000))

json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True), texts,
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.one_of(st.lists(children, max_size=5), st.dictionaries(texts, children, max_size=5)),
    max_leaves=12,
)


def dict_with(required: Mapping[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[dict]:
    """A dict whose named keys each hold a fuzzed value (or are missing), plus random extra keys."""
    maybe = {key: st.one_of(st.just(_MISSING), value) for key, value in required.items()}
    return st.builds(
        lambda fixed, extra: {**extra, **{k: v for k, v in fixed.items() if v is not _MISSING}},
        st.fixed_dictionaries(maybe), st.dictionaries(texts, json_values, max_size=3),
    )


_MISSING = object()


def json_bytes(value: Any) -> bytes:
    """JSON as a client may send it: NaN and Infinity included, lone surrogates escaped."""
    return json.dumps(value, allow_nan=True).encode()


binary = st.one_of(st.binary(max_size=300), st.builds(lambda b, n: b * n, st.binary(min_size=1, max_size=4),
                                                      st.integers(0, 100_000)))

content_types = st.one_of(
    st.none(),
    st.sampled_from([
        "application/json", "application/json; charset=utf-8", "application/json; charset=latin-1",
        "application/json; charset=bogus", "text/plain", "text/html", "application/xml",
        "application/x-www-form-urlencoded", "application/x-www-form-urlencoded; charset=bogus",
        "application/x-www-form-urlencoded; charset=utf-16", "multipart/form-data",
        "multipart/form-data; boundary=xyz", "application/octet-stream", "", ";", "*/*",
    ]),
    st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7e), max_size=40),
)

_QUERY_SAFE = st.characters(min_codepoint=0x21, max_codepoint=0x7e, exclude_characters="#")


def _encode(value: str) -> str:
    return quote(value.encode("utf-8", "surrogatepass"), safe="")


query_strings = st.one_of(
    st.just(""),
    st.lists(st.tuples(texts, texts), max_size=4).map(lambda pairs: "&".join(f"{_encode(k)}={_encode(v)}"
                                                                             for k, v in pairs)),
    st.text(_QUERY_SAFE, max_size=60),  # raw: %zz, &&&, ;;=, …
    st.sampled_from(["%", "%zz", "a=%ff%fe", "=&=&", "a[]=1&a[]=2", "x=" + "9" * 5000, "a=1;b=2",
                     "after=-1", "after=1e999", "after=" + "9" * 30, "t=" + "A" * 600]),
)

header_values = st.one_of(texts, st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7e), max_size=80))


def form_bytes(fields: list[tuple[str | bytes, str | bytes]]) -> bytes:
    """application/x-www-form-urlencoded, any bytes (invalid UTF-8, lone surrogates) allowed."""
    def enc(value: str | bytes) -> str:
        raw = value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")
        return quote(raw, safe="")

    return "&".join(f"{enc(k)}={enc(v)}" for k, v in fields).encode()


# --- the client ---------------------------------------------------------------------------------
CLOSED = 0  # the server closed the connection without an answer we could read: refused, not a 5xx


def refused(status: int) -> bool:
    """A 4xx, or a connection the HTTP layer closed before answering."""
    return status == CLOSED or 400 <= status < 500


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self) -> Any:
        return json.loads(self.body)


def header_safe(value: str) -> bool:
    """What http.client may put in a header (latin-1, no line breaks)."""
    try:
        value.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return not any(ch in value for ch in "\r\n\x00")


def send(method: str, url: str, body: bytes | None = None, headers: Mapping[str, str] | None = None,
         timeout: float = 30) -> Reply:
    """One request exactly as given (the path and query string are sent as they are)."""
    parts = urlsplit(url)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        connection.putrequest(method, target, skip_accept_encoding=True)
        sent = {k.lower() for k in (headers or {})}
        for name, value in (headers or {}).items():
            if value is not None:
                connection.putheader(name, value.encode("latin-1"))
        if body is not None and "content-length" not in sent:
            connection.putheader("Content-Length", str(len(body)))
        try:
            connection.endheaders(body)
        except (ConnectionResetError, BrokenPipeError):
            pass  # the server answered (e.g. 413 for a request line over 8 KB) and closed before the body
        try:
            response = connection.getresponse()
        except (ConnectionResetError, BrokenPipeError, http.client.RemoteDisconnected):
            return Reply(CLOSED, {}, b"")
        return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
    finally:
        connection.close()


def describe(method: str, url: str, body: bytes | None, headers: Mapping[str, str] | None, reply: Reply) -> str:
    shown = (body or b"")[:300]
    return (f"{method} {url[:300]} headers={dict(headers or {})!r} body[:300]={shown!r} "
            f"-> {reply.status} {reply.text[:500]!r}")


def no_5xx(method: str, url: str, body: bytes | None = None, headers: Mapping[str, str] | None = None,
           timeout: float = 30) -> Reply:
    """Send, and fail the example when the server answers 5xx."""
    reply = send(method, url, body, headers, timeout)
    event(f"HTTP {reply.status}")  # shown by pytest --hypothesis-show-statistics
    assert reply.status < 500, describe(method, url, body, headers, reply)
    return reply

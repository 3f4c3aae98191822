"""Browser-facing security policy of the web side: response headers and socket.io origins.

Headers (an aiohttp middleware on bot.webchat.server's app, so every answer carries them,
errors and static files included):

* web chat pages and assets: ``Content-Security-Policy`` with our own files only, the
  socket reaching Rasa's origin (SESAME_RASA_PUBLIC_URL) and ``frame-ancestors`` from
  SESAME_FRAME_ANCESTORS (default ``'self'``: list the sites allowed to frame the demo page);
* the conseiller console (``/console/``): its own policy with ``frame-ancestors 'none'``;
* everywhere: ``Referrer-Policy: no-referrer`` and ``X-Content-Type-Options: nosniff``.

socket.io origins (read by bot.channels.socketio in the Rasa process): a browser may open
the web chat's socket only from the web server's own origin (SESAME_PUBLIC_URL, with its
localhost / 127.0.0.1 / [::1] spellings) and the origins listed in SESAME_ALLOWED_ORIGINS
(comma or space separated, e.g. the sites that embed the widget). Outside production
(SESAME_ENV != production) any loopback origin is also accepted, for local pages and tests.
Clients that send no Origin (not browsers) are not concerned by CORS and stay accepted.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Awaitable, Callable, Iterable, Mapping, Optional
from urllib.parse import urlsplit

from aiohttp import web

from bot.settings import get_bot_settings

logger = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

DEFAULT_FRAME_ANCESTORS = "'self'"
DEFAULT_PUBLIC_URL = "http://localhost:8000"
# The same policy as bot.console.auth.CSP (checked by a test); repeated here so that the
# Rasa process, which imports this module for the socket.io origins, does not load the console.
CONSOLE_CSP = "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
CONSOLE_PREFIX = "/console"
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]"})
# A CSP host-source or scheme-source: no quote, semicolon, comma or whitespace inside.
_SOURCE = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|(?:[a-z][a-z0-9+.-]*://)?(?:\*\.)?[a-z0-9.\-\[\]:]+(?::(?:\d+|\*))?(?:/[^\s;,']*)?)$",
                     re.IGNORECASE)


def is_production(env: Mapping[str, str]) -> bool:
    """SESAME_ENV=production (the same test as actions.server.is_production)."""
    return env.get("SESAME_ENV", "").strip().lower() == "production"


# --- Content-Security-Policy ------------------------------------------------------------

def frame_ancestors(env: Optional[Mapping[str, str]] = None) -> str:
    """SESAME_FRAME_ANCESTORS as a CSP source list; ValueError when a source is malformed.

    ``env`` defaults to bot/settings.py's values (tests pass plain dicts).
    """
    env = get_bot_settings().browser_env() if env is None else env
    raw = env.get("SESAME_FRAME_ANCESTORS", "").strip() or DEFAULT_FRAME_ANCESTORS
    sources = raw.replace(",", " ").split()
    for source in sources:
        if source.lower() in {"'self'", "'none'"}:
            continue
        if not _SOURCE.match(source):
            raise ValueError(f"SESAME_FRAME_ANCESTORS: {source!r} is not a CSP source "
                             "(use 'self', 'none' or origins such as https://www.chambery.fr)")
    if "'none'" in (source.lower() for source in sources) and len(sources) > 1:
        raise ValueError("SESAME_FRAME_ANCESTORS: 'none' cannot be combined with other sources")
    return " ".join(sources)


def content_security_policy(rasa_url: str, ancestors: str = DEFAULT_FRAME_ANCESTORS) -> str:
    """Our own files only; the socket may reach Rasa's origin over ws(s) and http(s)."""
    parts = urlsplit(rasa_url)
    ws_scheme = "wss" if parts.scheme == "https" else "ws"
    origin = f"{parts.scheme}://{parts.netloc}"
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; "
        f"connect-src 'self' {origin} {ws_scheme}://{parts.netloc}; frame-ancestors {ancestors}; "
        "object-src 'none'; base-uri 'none'; form-action 'self'"
    )


def _is_console(path: str) -> bool:
    return path == CONSOLE_PREFIX or path.startswith(CONSOLE_PREFIX + "/")


def security_headers(rasa_url: str, ancestors: Optional[str] = None) -> Callable:
    """The aiohttp middleware: the web chat's policy, the console's under /console/."""
    ancestors = ancestors or frame_ancestors()
    web_csp = content_security_policy(rasa_url, ancestors)
    legacy_frame = {"'self'": "SAMEORIGIN", "'none'": "DENY"}.get(ancestors)

    def apply(request: web.Request, response: web.StreamResponse) -> None:
        headers = response.headers
        if _is_console(request.path):
            headers["Content-Security-Policy"] = CONSOLE_CSP
            headers["X-Frame-Options"] = "DENY"
        else:
            headers["Content-Security-Policy"] = web_csp
            if legacy_frame:  # X-Frame-Options cannot name other sites: only for the plain cases
                headers["X-Frame-Options"] = legacy_frame
        headers["Referrer-Policy"] = "no-referrer"
        headers["X-Content-Type-Options"] = "nosniff"

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            response = await handler(request)
        except web.HTTPException as error:  # 404, 303 redirects, 403…: they are responses too
            apply(request, error)
            raise
        if not response.prepared:
            apply(request, response)
        return response

    return middleware


# --- socket.io origins ------------------------------------------------------------------

def normalize_origin(value: str) -> str:
    """``scheme://host[:port]`` in lower case, without a default port; ValueError otherwise."""
    parts = urlsplit(value.strip())
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ValueError(f"{value!r} is not an http(s) origin such as https://www.chambery.fr")
    try:
        port = parts.port
    except ValueError:
        raise ValueError(f"{value!r} has an invalid port") from None
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    default = {"http": 80, "https": 443}[parts.scheme]
    return f"{parts.scheme}://{host}" + (f":{port}" if port and port != default else "")


def _host(origin: str) -> str:
    """The host of a normalized origin, IPv6 in brackets as in LOOPBACK_HOSTS."""
    host = urlsplit(origin).hostname or ""
    return f"[{host}]" if ":" in host else host


def loopback_aliases(origin: str) -> set[str]:
    """An origin on a loopback host, spelled with each loopback host (same scheme and port)."""
    if _host(origin) not in LOOPBACK_HOSTS:
        return {origin}
    port = urlsplit(origin).port
    return {f"{urlsplit(origin).scheme}://{alias}" + (f":{port}" if port else "") for alias in LOOPBACK_HOSTS}


@dataclass(frozen=True)
class OriginAllowList:
    """A callable for python-engineio's ``cors_allowed_origins``: True when an Origin may connect."""

    origins: frozenset[str]
    any_loopback: bool = False
    any_origin: bool = False

    def __call__(self, origin: Optional[str], environ: Optional[dict] = None) -> bool:
        if not origin:
            return False  # engineio only asks for requests that carry an Origin header
        if self.any_origin:
            return True
        try:
            normalized = normalize_origin(origin)
        except ValueError:
            return False  # "null" (sandboxed frames, file://) and garbage
        if normalized in self.origins:
            return True
        return self.any_loopback and _host(normalized) in LOOPBACK_HOSTS


def _split(raw: str) -> Iterable[str]:
    return [item for item in raw.replace(",", " ").split() if item]


def socketio_allowed_origins(env: Optional[Mapping[str, str]] = None) -> OriginAllowList:
    """The origins allowed to open the web chat's socket (see the module docstring).

    ``env`` defaults to bot/settings.py's values (tests pass plain dicts).
    """
    env = get_bot_settings().browser_env() if env is None else env
    own = normalize_origin(env.get("SESAME_PUBLIC_URL", "").strip() or DEFAULT_PUBLIC_URL)
    origins = set(loopback_aliases(own))
    any_origin = False
    for item in _split(env.get("SESAME_ALLOWED_ORIGINS", "")):
        if item == "*":
            any_origin = True
            continue
        try:
            origins |= loopback_aliases(normalize_origin(item))
        except ValueError as error:
            raise ValueError(f"SESAME_ALLOWED_ORIGINS: {error}") from None
    production = is_production(env)
    if any_origin and production:
        logger.warning("SESAME_ALLOWED_ORIGINS=*: any web site may open the web chat's socket")
    return OriginAllowList(frozenset(origins), any_loopback=not production, any_origin=any_origin)

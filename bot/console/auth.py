"""Who is signed in: the ``sesame_console`` cookie, CSRF tokens on every form, roles, security headers.

- No valid session: HTML pages answer 303 to the login page, JSON endpoints 401.
- Every POST carries a hidden ``csrf_token`` equal to the session's (the login form's is a
  pre-session token in its own cookie): otherwise 403.
- The login page never says whether a name exists: a name tried too often shows the same
  "locked for N minutes" text, whether or not there is an account behind it.
"""
from __future__ import annotations

import hmac
import math
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Awaitable, Callable

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError

from actions.handoff import accounts
from bot.console.context import now, read_db, render

COOKIE = "sesame_console"
LOGIN_COOKIE = "sesame_console_login"
COOKIE_PATH = "/console/"
PUBLIC_ROUTES = {"login", "login_submit", "static"}
CSP = "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class Identity:
    """The signed-in account, detached from any database session (read by the handoff functions)."""

    id: int
    username: str
    display_name: str
    service: str
    role: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def wants_json(request: web.Request) -> bool:
    return request.path.endswith(".json") or "application/json" in request.headers.get("Accept", "")


def set_cookie(request: web.Request, response: web.StreamResponse, name: str, value: str,
               max_age: int | None = None) -> None:
    response.set_cookie(name, value, httponly=True, samesite="Strict", path=COOKIE_PATH,
                        secure=request.secure, max_age=max_age)


def forget_cookie(response: web.StreamResponse, name: str = COOKIE) -> None:
    response.del_cookie(name, path=COOKIE_PATH)


def login_url(request: web.Request) -> str:
    return str(request.app.router["login"].url_for())


def tokens_match(given: str, expected: str) -> bool:
    return bool(given) and bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


async def _load_identity(request: web.Request) -> tuple[Identity, str] | None:
    token = request.cookies.get(COOKIE, "")
    if not token:
        return None
    moment = now(request)

    def _read(session) -> tuple[Identity, str] | None:  # type: ignore[no-untyped-def]
        found = accounts.session_user(session, token, moment)
        if found is None:
            return None
        user, row = found
        return Identity(user.id, user.username, user.display_name, user.service, user.role), row.csrf_token

    return await read_db(request, _read)


@web.middleware
async def security_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        response = exc
        _headers(response)
        raise
    _headers(response)
    return response


def _headers(response: web.StreamResponse) -> None:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"


class UnreadableForm(web.HTTPBadRequest):
    """A POST body aiohttp cannot read as a form (unknown charset, invalid UTF-8, broken multipart)."""


async def read_form(request: web.Request):  # type: ignore[no-untyped-def]
    """The posted form, read once here (aiohttp keeps it for the handlers); 400 when unreadable.

    aiohttp raised UnicodeDecodeError, LookupError, an HttpProcessingError (a multipart part's
    headers) or an AssertionError (a part without a readable name) from ``request.post()``: a 500.
    """
    try:
        return await request.post()
    except (ValueError, LookupError, HttpProcessingError, AssertionError) as exc:
        raise UnreadableForm(text="Le formulaire n'a pas pu être lu. Rechargez la page et réessayez.") from exc


@web.middleware
async def require_session(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Attach ``request["user"]`` and ``request["csrf_token"]``, or send the visitor to the login page."""
    route_name = request.match_info.route.name
    if route_name in PUBLIC_ROUTES:
        if request.method == "POST":
            form = await read_form(request)
            if not tokens_match(str(form.get("csrf_token", "")), request.cookies.get(LOGIN_COOKIE, "")):
                return forbidden(request, "Le formulaire a expiré. Rechargez la page et réessayez.")
        return await handler(request)
    found = await _load_identity(request)
    if found is None:
        if wants_json(request):
            return web.json_response({"error": "Connectez-vous d'abord."}, status=401)
        raise web.HTTPSeeOther(login_url(request))
    request["user"], request["csrf_token"] = found
    if request.method == "POST":
        form = await read_form(request)
        if not tokens_match(str(form.get("csrf_token", "")), found[1]):
            return forbidden(request, "Le formulaire a expiré. Rechargez la page et réessayez.")
    return await handler(request)


def forbidden(request: web.Request, reason: str) -> web.Response:
    if wants_json(request):
        return web.json_response({"error": reason}, status=403)
    return render(request, "error.html", status=403, title="Accès refusé", heading="Accès refusé", reason=reason)


def admin_only(handler: Handler) -> Handler:
    async def wrapped(request: web.Request) -> web.StreamResponse:
        user: Identity | None = request.get("user")
        if user is None or not user.is_admin:
            return forbidden(request, "Cette page est réservée aux administrateurs de la console.")
        return await handler(request)

    wrapped.__name__ = handler.__name__
    wrapped.__doc__ = handler.__doc__
    return wrapped


def new_login_token() -> str:
    return secrets.token_urlsafe(24)


class LoginGuard:
    """Failed sign-ins per typed name, in memory: the same lock-out text for any name.

    The real lock is ``accounts.login``'s (in the database); this only makes the page say the
    same thing for a name without an account, so the page never tells which names exist.
    """

    def __init__(self, max_failures: int, lockout_minutes: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_failures = max_failures
        self.lockout = lockout_minutes * 60
        self.clock = clock
        self._failures: dict[str, int] = {}
        self._locked: dict[str, float] = {}

    def failed(self, username: str) -> None:
        key = username.strip().lower()[:80]
        if len(self._failures) > 10_000:  # a flood of made-up names cannot grow memory forever
            self._failures.clear()
        self._failures[key] = self._failures.get(key, 0) + 1
        if self._failures[key] >= self.max_failures:
            self._failures[key] = 0
            self._locked[key] = self.clock() + self.lockout

    def succeeded(self, username: str) -> None:
        key = username.strip().lower()[:80]
        self._failures.pop(key, None)
        self._locked.pop(key, None)

    def minutes_left(self, username: str) -> int:
        until = self._locked.get(username.strip().lower()[:80])
        if until is None:
            return 0
        left = until - self.clock()
        return max(1, math.ceil(left / 60)) if left > 0 else 0


def minutes_until(until: datetime | None, moment: datetime) -> int:
    if until is None:
        return 0
    left = (until - moment.replace(tzinfo=None)) / timedelta(minutes=1)
    return max(1, math.ceil(left)) if left > 0 else 0

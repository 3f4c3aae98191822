"""Sign in and sign out."""
from __future__ import annotations

from aiohttp import web

from actions.common.settings import get_settings
from actions.handoff import accounts, audit
from actions.handoff.queue import locked_until
from bot.console.auth import (
    COOKIE, LOGIN_COOKIE, LoginGuard, forget_cookie, minutes_until, new_login_token, set_cookie,
)
from bot.console.context import LOGIN_GUARD, in_db, now, render


async def login_page(request: web.Request, error: str = "", username: str = "", status: int = 200,
                     info: str = "") -> web.Response:
    token = request.cookies.get(LOGIN_COOKIE) or new_login_token()
    response = render(request, "login.html", status=status, title="Connexion", error=error, info=info,
                      username=username, csrf_token=token, user=None)
    set_cookie(request, response, LOGIN_COOKIE, token)
    return response


async def login_submit(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    username = str(form.get("username", "")).strip()[:80]
    password = str(form.get("password", ""))
    if not username or not password:
        return await login_page(request, "Écrivez votre identifiant et votre mot de passe.", username, status=400)
    settings = get_settings()
    guard: LoginGuard = request.app[LOGIN_GUARD]
    moment = now(request)

    def _try(session):  # type: ignore[no-untyped-def]
        try:
            signed = accounts.login(session, username, password, moment, max_failures=settings.console_max_failures,
                                    lockout_minutes=settings.console_lockout_minutes,
                                    session_minutes=settings.console_session_minutes)
        except accounts.LoginRefused:
            return None, locked_until(session, username, moment)
        user = session.get(accounts.ConsoleUser, signed.user_id)
        audit.record(session, user, "connexion", moment)
        return signed, None

    signed, locked = await in_db(request, _try)
    if signed is None:
        guard.failed(username)
        minutes = max(minutes_until(locked, moment), guard.minutes_left(username))
        if minutes:
            message = (f"Ce compte est bloqué pendant {minutes} minute{'s' if minutes > 1 else ''}, "
                       "après plusieurs essais sans succès. Réessayez plus tard, "
                       "ou demandez de l'aide à un administrateur de la console.")
        else:
            message = "L'identifiant ou le mot de passe ne correspond pas. Vérifiez et réessayez."
        return await login_page(request, message, username, status=401)
    guard.succeeded(username)
    response = web.HTTPSeeOther(str(request.app.router["queue"].url_for()))
    set_cookie(request, response, COOKIE, signed.token, max_age=settings.console_session_minutes * 60)
    forget_cookie(response, LOGIN_COOKIE)
    raise response


async def logout(request: web.Request) -> web.StreamResponse:
    token = request.cookies.get(COOKIE, "")
    user = request["user"]
    moment = now(request)

    def _out(session):  # type: ignore[no-untyped-def]
        accounts.logout(session, token)
        audit.record(session, user, "deconnexion", moment)

    await in_db(request, _out)
    response = web.HTTPSeeOther(str(request.app.router["login"].url_for()) + "?fin=1")
    forget_cookie(response)
    raise response


async def login_get(request: web.Request) -> web.Response:
    return await login_page(request, info="Vous êtes déconnecté." if request.query.get("fin") else "")

"""``create_console_app()``: the console as an aiohttp sub-application (mounted under ``/console/``)."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import AsyncIterator, Callable

from aiohttp import web
from sqlalchemy.engine import Engine

from bot.console import views_admin, views_agenda, views_auth, views_cases
from bot.console.compat import fix_request_url
from bot.console.auth import LoginGuard, require_session, security_headers
from bot.console.context import CLOCK, ENGINE, LOGIN_GUARD, RASA, TEMPLATES, make_templates, utc_now
from bot.console.rasa_api import RasaClient

STATIC_DIR = Path(__file__).resolve().parent / "static"


def create_console_app(engine: Engine | None = None, rasa: RasaClient | None = None,
                       clock: Callable[[], datetime] | None = None) -> web.Application:
    """``engine`` defaults to the app database, ``rasa`` to SESAME_RASA_URL / SESAME_RASA_TOKEN."""
    from actions.common.settings import get_settings

    fix_request_url()  # routing into a sub-app reads request.url (broken in aiohttp 3.9 + yarl 1.25)
    settings = get_settings()
    if engine is None:
        from actions.common.db import get_engine

        engine = get_engine()
    if rasa is None:
        rasa = RasaClient(settings.rasa_url, settings.rasa_token)
    app = web.Application(middlewares=[security_headers, require_session])
    app[ENGINE] = engine
    app[RASA] = rasa
    app[CLOCK] = clock or utc_now
    app[TEMPLATES] = make_templates()
    app[LOGIN_GUARD] = LoginGuard(settings.console_max_failures, settings.console_lockout_minutes)

    async def _rasa_session(_: web.Application) -> AsyncIterator[None]:
        """Closes the Rasa client's HTTP session when the app stops (a cleanup context: typed in aiohttp 3.9)."""
        yield
        await rasa.close()

    app.cleanup_ctx.append(_rasa_session)
    app.router.add_get("/connexion", views_auth.login_get, name="login")
    app.router.add_post("/connexion", views_auth.login_submit, name="login_submit")
    app.router.add_post("/deconnexion", views_auth.logout, name="logout")
    views_cases.add_routes(app)
    views_admin.add_routes(app)
    views_agenda.add_routes(app)
    app.router.add_static("/static/", STATIC_DIR, name="static", show_index=False)
    return app

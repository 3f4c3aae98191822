"""Serve the web chat's demo page and assets (port SESAME_WEB_PORT, default 8000).

The Rasa URL the browser talks to (SESAME_RASA_PUBLIC_URL, default
http://localhost:5005) is injected into the demo page and into the widget, so the
one-tag embed works without extra configuration. A Content-Security-Policy only
allows our own scripts and that Rasa origin.
"""
from __future__ import annotations

import asyncio

import html
import logging
from pathlib import Path

from aiohttp import web

from bot.console.app import create_console_app
from bot.settings import get_bot_settings
from bot.webchat.security_headers import security_headers

STATIC_DIR = Path(__file__).resolve().parent / "static"
MAX_ROW_ID = 2**63 - 1  # the largest id the database stores (BIGINT)
ICS_NOT_FOUND = "Ce rendez-vous n'existe pas ou a été annulé."
PLACEHOLDER_JS = "__SESAME_RASA_URL__"
PLACEHOLDER_HTML = "{{RASA_URL}}"
PLACEHOLDER_HELP = "__SESAME_HELP__"
PLACEHOLDER_DEMO = "<!-- SESAME_DEMO_BANNER: bot/webchat/server.py puts the banner here while the agenda is demonstration data -->"

logger = logging.getLogger(__name__)


def rasa_public_url() -> str:
    return get_bot_settings().rasa_public_url


def web_port() -> int:
    return get_bot_settings().web_port


def help_text() -> str:
    """The sourced human contacts (actions.core.contacts), said when the chat is slow or cut off."""
    from actions.core.contacts import human_contact_message

    return " ".join(line.strip() for line in human_contact_message().splitlines() if line.strip())


def demo_banner(demo_agenda: bool) -> str:
    """The demo page's notice that bookings are examples, while the agenda is demonstration data."""
    if not demo_agenda:
        return ""
    from actions.booking.demo import BANNER_TEXT

    return (f'<div class="demo-banner" role="note" aria-label="Démonstration">'
            f'<p>{html.escape(BANNER_TEXT)}</p></div>')


def create_app(rasa_url: str | None = None, demo_agenda: bool | None = None) -> web.Application:
    """The aiohttp application: demo page at /, assets under /static/, health at /healthz.

    ``demo_agenda`` (read once from data/booking/*.yml when not given) puts the banner
    "les rendez-vous sont des exemples" at the top of the demo page.
    """
    rasa_url = (rasa_url or rasa_public_url()).rstrip("/")
    if demo_agenda is None:
        from actions.booking.demo import agenda_is_demo

        demo_agenda = agenda_is_demo()
    page = (
        (STATIC_DIR / "index.html").read_text(encoding="utf-8")
        .replace(PLACEHOLDER_HTML, html.escape(rasa_url, quote=True))
        .replace(PLACEHOLDER_DEMO, demo_banner(demo_agenda))
    )
    widget = (
        (STATIC_DIR / "sesame-chat.js").read_text(encoding="utf-8")
        .replace(f'"{PLACEHOLDER_JS}"', _js_string(rasa_url))
        .replace(f'"{PLACEHOLDER_HELP}"', _js_string(help_text()))
    )

    async def index(_: web.Request) -> web.Response:
        return web.Response(text=page, content_type="text/html", charset="utf-8")  # the middleware sets the CSP

    async def widget_js(_: web.Request) -> web.Response:
        return web.Response(text=widget, content_type="application/javascript", charset="utf-8",
                            headers={"Cache-Control": "no-cache"})

    async def health(_: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def appointment_ics(request: web.Request) -> web.Response:
        """The resident's appointment as an .ics file, behind the signed link sent on booking."""
        from datetime import datetime, timezone

        from actions.booking.agenda import resident_ics
        from actions.common.db import get_engine

        if not request.match_info["name"].isascii():  # no link we give has other characters, and
            raise web.HTTPNotFound(text=ICS_NOT_FOUND)  # hmac.compare_digest raised TypeError (a 500)
        reference, _, token = request.match_info["name"].partition("-")
        loop = asyncio.get_running_loop()
        body = await loop.run_in_executor(
            None, resident_ics, get_engine(), reference, token, datetime.now(timezone.utc)
        )
        if body is None:
            raise web.HTTPNotFound(text=ICS_NOT_FOUND)
        return web.Response(
            text=body, content_type="text/calendar", charset="utf-8",
            headers={"Content-Disposition": f'attachment; filename="rendez-vous-{reference}.ics"'},
        )

    async def conseiller_messages(request: web.Request) -> web.Response:
        """A conseiller's replies for one web chat conversation, after the id the browser has seen.

        The conversation id is the widget's random session id (kept in localStorage), which is
        what the socket.io channel uses too; SMS and Telegram conversations are never served here.
        """
        from actions.common.db import get_engine, read_session
        from actions.handoff.web import messages_for_browser

        conversation = request.query.get("conversation", "")
        try:
            after = int(request.query.get("after", "0") or 0)
        except ValueError:
            raise web.HTTPBadRequest(text="after doit être un nombre.")
        if not -MAX_ROW_ID <= after <= MAX_ROW_ID:  # beyond, SQLite raised OverflowError (a 500)
            raise web.HTTPBadRequest(text="after doit être un nombre.")
        if not conversation or len(conversation) > 128:
            raise web.HTTPBadRequest(text="conversation manquante.")

        def _read() -> dict:
            with read_session(get_engine()) as session:
                return messages_for_browser(session, conversation, after)

        body = await asyncio.get_running_loop().run_in_executor(None, _read)
        return web.json_response(body, headers={"Cache-Control": "no-store"})

    async def personal_data(request: web.Request) -> web.Response:
        """A web resident's data as a text file, behind the signed 15-minute link the bot gave."""
        from datetime import datetime, timezone

        from actions.common.db import get_engine, read_session
        from actions.common.settings import get_settings
        from actions.privacy.conversation import export_document
        from actions.privacy.links import ExportLinkExpired, ExportLinkInvalid, conversation_of
        from actions.privacy.rights import collect

        try:
            conversation = conversation_of(request.query.get("t", "")[:512])
        except ExportLinkExpired:
            raise web.HTTPGone(text="Ce lien a expiré. Demandez-le de nouveau à Sésame : "
                                    "« quelles données avez-vous sur moi ? ».")
        except ExportLinkInvalid:
            raise web.HTTPBadRequest(text="Ce lien n'est pas valide. Demandez-le de nouveau à Sésame.")

        def _read() -> str:
            with read_session(get_engine()) as session:
                data = collect(session, get_engine(get_settings().tracker_url), conversation)
            return export_document(data, datetime.now(timezone.utc))

        body = await asyncio.get_running_loop().run_in_executor(None, _read)
        return web.Response(text=body, content_type="text/plain", charset="utf-8", headers={
            "Content-Disposition": 'attachment; filename="sesame-mes-donnees.txt"', "Cache-Control": "no-store"})

    app = web.Application(middlewares=[security_headers(rasa_url), static_name_too_long])  # CSP, nosniff…
    app.router.add_get("/", index)
    app.router.add_get("/healthz", health)
    app.router.add_get("/rdv/{name}.ics", appointment_ics)
    app.router.add_get("/chat/messages", conseiller_messages)
    app.router.add_get("/chat/export", personal_data)
    app.router.add_get("/static/sesame-chat.js", widget_js)
    app.router.add_static("/static/", STATIC_DIR, show_index=False)
    app.add_subapp("/console/", create_console_app())
    return app


class StaticNameTooLong(web.HTTPNotFound):
    """A /static/ path the file system refuses (a name over 255 bytes): no such file."""


@web.middleware
async def static_name_too_long(request: web.Request, handler):  # type: ignore[no-untyped-def]
    """aiohttp 3.9's static route only turns FileNotFoundError into a 404: ENAMETOOLONG was a 500."""
    try:
        return await handler(request)
    except OSError as exc:
        if request.path.startswith("/static/"):
            raise StaticNameTooLong() from exc
        raise


def _js_string(value: str) -> str:
    """A JavaScript string literal that cannot close the script or the string."""
    import json

    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e")


def main() -> None:
    logging.basicConfig(level=logging.INFO)
    host = get_bot_settings().web_host
    web.run_app(create_app(), host=host, port=web_port(), access_log=None)


if __name__ == "__main__":
    main()

"""What every console handler shares: the app's engine, Rasa client and clock, SQL off the event loop,
and the Jinja2 rendering (autoescape on) with the console's French labels and formats."""
from __future__ import annotations

import asyncio
import functools
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, TypeVar
from zoneinfo import ZoneInfo

import jinja2
import yaml
from aiohttp import web
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from actions.common.db import read_session, session_scope
from bot.console.rasa_api import RasaClient

if TYPE_CHECKING:  # bot.console.auth imports this module
    from bot.console.auth import LoginGuard

T = TypeVar("T")
HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
PARIS = ZoneInfo("Europe/Paris")

# Typed application keys: handlers get the engine, the Rasa client, the clock and the guard with their types.
ENGINE = web.AppKey("engine", Engine)
RASA = web.AppKey("rasa", RasaClient)
CLOCK: web.AppKey[Callable[[], datetime]] = web.AppKey("clock")
TEMPLATES = web.AppKey("templates", jinja2.Environment)
LOGIN_GUARD: web.AppKey[LoginGuard] = web.AppKey("login_guard")

CHANNELS = {"socketio": "Site web", "rest": "Site web", "sms": "SMS", "telegram": "Telegram",
            "cmdline": "Terminal"}
STATUSES = {"nouveau": "Nouvelle", "pris_en_charge": "Prise en charge", "attente_resident": "Attend le résident",
            "clos": "Close"}
URGENCIES = {"urgente": "Urgente", "normale": "Normale"}
CONTACT_MODES = {"telephone": "Être appelé", "sms": "Recevoir un SMS", "rendez-vous": "Avoir un rendez-vous",
                 "ici": "Continuer ici, par écrit"}


MAX_ROW_ID = 2**63 - 1  # the largest id SQLite and PostgreSQL store (BIGINT)


def row_id(value: str) -> int:
    """A row id from a URL (``\\d+`` in the route); 404 when no row can have it.

    A larger number reached the database and raised OverflowError (a 500) on SQLite.
    """
    try:
        number = int(value)
    except ValueError:
        raise web.HTTPNotFound() from None
    if not 0 <= number <= MAX_ROW_ID:
        raise web.HTTPNotFound()
    return number


def now(request: web.Request) -> datetime:
    return request.app[CLOCK]()


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


async def in_db(request: web.Request, work: Callable[[Session], T]) -> T:
    """Run ``work(session)`` in a committed transaction, in the default executor."""
    engine = request.app[ENGINE]

    def _run() -> T:
        with session_scope(engine) as session:
            return work(session)

    return await asyncio.get_running_loop().run_in_executor(None, _run)


async def read_db(request: web.Request, work: Callable[[Session], T]) -> T:
    engine = request.app[ENGINE]

    def _run() -> T:
        with read_session(engine) as session:
            return work(session)

    return await asyncio.get_running_loop().run_in_executor(None, _run)


@functools.lru_cache(maxsize=1)
def theme_labels() -> dict[str, str]:
    path = ROOT / "data" / "catalogue" / "referentiels.yml"
    try:
        return dict((yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("categories") or {})
    except OSError:
        return {}


def human_duration(start: datetime | None, end: datetime) -> str:
    """``moins d'1 min``, ``12 min``, ``2 h 10``, ``3 j 4 h``."""
    if start is None:
        return ""
    start = start.replace(tzinfo=timezone.utc) if start.tzinfo is None else start
    minutes = max(0, int((end - start).total_seconds() // 60))
    if minutes < 1:
        return "moins d'1 min"
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {rest:02d}" if rest else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} j {hours} h" if hours else f"{days} j"


def local_time(moment: datetime | float | None, fmt: str = "%d/%m/%Y à %H:%M") -> str:
    if moment is None or moment == "":
        return ""
    if isinstance(moment, (int, float)):
        moment = datetime.fromtimestamp(float(moment), timezone.utc)
    moment = moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment
    return moment.astimezone(PARIS).strftime(fmt)


def make_templates() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(HERE / "templates")),
        autoescape=True, trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined,
    )
    env.filters["local_time"] = local_time
    env.filters["theme"] = lambda code: theme_labels().get(code, code)
    env.filters["channel"] = lambda code: CHANNELS.get(code, code)
    env.filters["status"] = lambda code: STATUSES.get(code, code)
    env.filters["urgency"] = lambda code: URGENCIES.get(code, code)
    env.filters["contact_mode"] = lambda code: CONTACT_MODES.get(code, code)
    env.globals.update(THEMES=theme_labels, CHANNELS=CHANNELS, URGENCIES=URGENCIES, STATUSES=STATUSES)
    return env


def render(request: web.Request, template: str, status: int = 200, **context: Any) -> web.Response:
    """An HTML page; every page knows who is signed in and the session's CSRF token."""
    context.setdefault("user", request.get("user"))
    context.setdefault("csrf_token", request.get("csrf_token", ""))
    context.setdefault("title", "")
    context.setdefault("nav", "")
    body = request.app[TEMPLATES].get_template(template).render(**context)
    return web.Response(text=body, status=status, content_type="text/html", charset="utf-8")

"""The console on a real port, beside a fake Rasa HTTP API that records what the console appends.

The fake speaks Rasa 3.6's protocol for the calls the console makes (``GET
/conversations/{id}/tracker`` and ``POST /conversations/{id}/tracker/events``, with
``?token=``), so the console's own client is what the tests exercise.
"""
from __future__ import annotations

import asyncio
import re
import socket
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Iterator

import requests
from aiohttp import web

from bot.console.app import create_console_app
from bot.console.rasa_api import RasaClient

TOKEN = "rasa-secret"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class FakeRasa:
    trackers: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    appended: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    down: bool = False

    def say(self, conversation_id: str, kind: str, text: str, **extra: Any) -> None:
        """A message already in the conversation (user or bot), stamped now."""
        self.trackers.setdefault(conversation_id, []).append(
            {"event": kind, "text": text, "timestamp": time.time(), **extra})

    def events(self, conversation_id: str, kind: str | None = None) -> list[dict[str, Any]]:
        return [e for c, e in self.appended if c == conversation_id and (kind is None or e.get("event") == kind)]

    def app(self) -> web.Application:
        async def tracker(request: web.Request) -> web.Response:
            if request.query.get("token") != TOKEN:
                return web.json_response({"message": "unauthorized"}, status=401)
            if self.down:
                return web.json_response({"message": "down"}, status=500)
            conv = request.match_info["id"]
            return web.json_response({"sender_id": conv, "events": self.trackers.get(conv, []),
                                      "paused": any(e.get("event") == "pause" for e in self.trackers.get(conv, []))})

        async def append(request: web.Request) -> web.Response:
            if request.query.get("token") != TOKEN:
                return web.json_response({"message": "unauthorized"}, status=401)
            if self.down:
                return web.json_response({"message": "down"}, status=500)
            conv = request.match_info["id"]
            body = await request.json()
            for event in body if isinstance(body, list) else [body]:
                event = {**event, "timestamp": event.get("timestamp") or time.time()}
                self.appended.append((conv, event))
                self.trackers.setdefault(conv, []).append(event)
            return web.json_response({"sender_id": conv, "events": self.trackers.get(conv, [])})

        app = web.Application()
        app.router.add_get("/conversations/{id}/tracker", tracker)
        app.router.add_post("/conversations/{id}/tracker/events", append)
        return app


@dataclass
class Running:
    base: str
    rasa: FakeRasa

    def url(self, path: str) -> str:
        return self.base + path


@contextmanager
def console_server(engine, clock=None) -> Iterator[Running]:  # type: ignore[no-untyped-def]
    """The console mounted under /console/ (as bot.webchat.server mounts it) and the fake Rasa."""
    fake = FakeRasa()
    rasa_port, web_port = free_port(), free_port()
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    runners: list[web.AppRunner] = []

    async def _start() -> None:
        for app, port in ((fake.app(), rasa_port), (None, web_port)):
            if app is None:
                app = web.Application()
                app.add_subapp("/console/", create_console_app(
                    engine, RasaClient(f"http://127.0.0.1:{rasa_port}", TOKEN), clock))
            runner = web.AppRunner(app, access_log=None)
            await runner.setup()
            await web.TCPSite(runner, "127.0.0.1", port).start()
            runners.append(runner)

    def _run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(_start())
        ready.set()
        loop.run_forever()

    thread = threading.Thread(target=_run, daemon=True)
    thread.start()
    assert ready.wait(20), "console did not start"
    try:
        yield Running(f"http://127.0.0.1:{web_port}", fake)
    finally:
        async def _stop() -> None:
            for runner in reversed(runners):
                await runner.cleanup()

        asyncio.run_coroutine_threadsafe(_stop(), loop).result(20)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    match = CSRF.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def login(server: Running, username: str, password: str) -> tuple[requests.Session, requests.Response]:
    http = requests.Session()
    page = http.get(server.url("/console/connexion"))
    response = http.post(server.url("/console/connexion"), allow_redirects=False,
                         data={"username": username, "password": password, "csrf_token": csrf_of(page.text)})
    return http, response


def signed_in(server: Running, username: str, password: str) -> requests.Session:
    http, response = login(server, username, password)
    assert response.status_code == 303, response.text
    return http


def post_form(http: requests.Session, server: Running, page_path: str, action_path: str,
              data: dict[str, str]) -> requests.Response:
    """Open the page (for its CSRF token) and post one of its forms, without following the redirect."""
    token = csrf_of(http.get(server.url(page_path)).text)
    return http.post(server.url(action_path), data={**data, "csrf_token": token}, allow_redirects=False)

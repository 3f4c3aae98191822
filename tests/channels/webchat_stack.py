"""A small local stack for the web chat: Rasa's real socket.io channel on Sanic + the web server.

Rasa's message handler is a scripted assistant (no trained model needed); the
browser, the widget, the vendored socket.io client, Rasa's SocketIOInput and
our aiohttp server are all the real ones.
"""
from __future__ import annotations

import asyncio
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator

from aiohttp import web
from rasa.core.channels.channel import UserMessage
from bot.channels.socketio import SesameSocketIOInput

from bot.webchat.server import create_app
from tests.channels.harness import free_port, serve_channel

MENU = [
    {"title": "Trouver un service", "payload": "/search_service"},
    {"title": "Comprendre mes droits", "payload": "/ask_rights"},
    {"title": "Parler à une personne", "payload": "/ask_human"},
]


@dataclass
class WebchatAssistant:
    """Greets with the menu, answers choices, echoes text (as text: the widget must escape it)."""

    received: list[tuple[str, str]] = field(default_factory=list)

    async def __call__(self, message: UserMessage) -> None:
        self.received.append((message.sender_id, message.text or ""))
        out, sender = message.output_channel, message.sender_id
        text = message.text or ""
        if text == "/greet":
            await out.send_response(sender, {"text": "Bonjour, je suis Sésame. Que voulez-vous faire ?", "buttons": list(MENU)})
        elif text == "/ask_rights":
            await out.send_response(sender, {"text": "Pour quel thème ? Par exemple le logement ou la santé."})
        elif text == "/ask_human":
            await out.send_response(sender, {"text": "Une personne peut vous aider. Voici comment la joindre."})
        elif text == "silence":
            return  # e.g. the action server is down: Rasa sends nothing
        elif text.startswith("lent"):
            await asyncio.sleep(2)
            await out.send_response(sender, {"text": "Voilà, j'ai trouvé."})
        else:
            await out.send_response(sender, {"text": f"Vous avez écrit : {text}. Plus d'infos : https://www.chambery.fr/"})


@dataclass
class LocalWebchatStack:
    rasa_url: str
    web_url: str
    assistant: WebchatAssistant


@contextmanager
def serve_web(rasa_url: str) -> Iterator[str]:
    """The web chat server (bot.webchat.server) on a free port, in its own thread."""
    port = free_port()
    ready, stop = threading.Event(), threading.Event()

    def run() -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)

        async def main() -> None:
            runner = web.AppRunner(create_app(rasa_url))
            await runner.setup()
            await web.TCPSite(runner, "127.0.0.1", port).start()
            ready.set()
            while not stop.is_set():
                await asyncio.sleep(0.05)
            await runner.cleanup()

        loop.run_until_complete(main())
        loop.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    ready.wait(10)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop.set()
        thread.join(10)


@contextmanager
def local_webchat_stack() -> Iterator[LocalWebchatStack]:
    assistant = WebchatAssistant()
    channel = SesameSocketIOInput.from_credentials({"session_persistence": True})
    with serve_channel(channel, assistant) as rasa_url, serve_web(rasa_url) as web_url:
        yield LocalWebchatStack(rasa_url, web_url, assistant)

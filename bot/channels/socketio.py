"""Rasa's socket.io channel for the web chat, with session persistence that works.

Rasa 3.6 calls ``sio.enter_room()`` without ``await``; since python-socketio 5.10
that method is a coroutine, so with ``session_persistence: true`` the browser
never joins its session room and never receives a reply. This subclass keeps
everything of Rasa's channel and only replaces the ``session_request`` handler
with one that awaits. The session id (kept by the widget in localStorage) is the
conversation id, so a conversation survives a page reload. Its message handler is
also wrapped in the never-silent guard (bot/channels/guard.py): a turn that emits
nothing still gets an apology with a person to contact.

Before Rasa (bot/channels/limits.py): a message over SESAME_MAX_MESSAGE_CHARS gets a
kind reply; over the per-session or per-IP rate limit, the notice (every time: a web
page that says nothing looks broken). No limit ever silences an urgent message.
Socket.io frames themselves are capped by engine.io at ``SOCKETIO_MAX_FRAME_BYTES``
(engine.io's own 1 MB default, made explicit): a larger frame closes the connection;
anything below gets the kind reply, since people paste long texts into a chat.
"""
from __future__ import annotations

import inspect
import json
import logging
import uuid
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint
from socketio import AsyncServer

from bot.channels import limits
from bot.channels.config import get_channel_settings
from bot.channels.guard import never_silent
from bot.webchat.security_headers import socketio_allowed_origins

logger = logging.getLogger(__name__)
SOCKETIO_MAX_FRAME_BYTES = 1_000_000


def socket_ip(sio: AsyncServer, sid: Text, namespace: Optional[Text]) -> str:
    """The client address of a socket.io connection (engine.io keeps the Sanic request)."""
    try:
        environ = sio.get_environ(sid, namespace=namespace) or {}
    except Exception:  # noqa: BLE001 - an unknown sid: no address, no per-IP count
        return ""
    request = environ.get("sanic.request")
    return limits.client_ip(request) if request is not None else ""


class CountingSocketIOOutput(SocketIOOutput, CollectingOutputChannel):
    """Rasa's socket.io output that also keeps what it emitted, for the never-silent guard."""

    def __init__(self, sio: AsyncServer, bot_message_evt: Text) -> None:
        SocketIOOutput.__init__(self, sio, bot_message_evt)
        self.messages: list = []

    async def _send_message(self, socket_id: Text, response: Any) -> None:
        self.messages.append(response)
        await SocketIOOutput._send_message(self, socket_id, response)


class SesameSocketIOInput(SocketIOInput):
    """Rasa's SocketIOInput (name ``socketio``) with an awaited room join and no silent turn."""

    @classmethod
    def name(cls) -> Text:
        return "socketio"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(on_new_message)
        sio = self.sio
        sio.eio.max_http_buffer_size = SOCKETIO_MAX_FRAME_BYTES
        gate = limits.Gate(get_channel_settings(), always_answer=True)
        # Rasa builds AsyncServer(cors_allowed_origins=[]), i.e. any Origin: handshakes from
        # other sites than ours / SESAME_ALLOWED_ORIGINS are refused (400) instead.
        sio.eio.cors_allowed_origins = socketio_allowed_origins()

        async def session_request(sid: Text, data: Optional[Dict]) -> None:
            data = dict(data or {})
            if not data.get("session_id"):
                data["session_id"] = uuid.uuid4().hex
            if self.session_persistence:
                joined = sio.enter_room(sid, data["session_id"], namespace=self.namespace)
                if inspect.isawaitable(joined):
                    await joined
            await sio.emit("session_confirm", data["session_id"], room=sid, namespace=self.namespace)

        guarded = never_silent(on_new_message)

        async def handle_message(sid: Text, data: Dict) -> None:
            if self.session_persistence:
                if not data.get("session_id"):
                    logger.warning("socket.io message without session_id ignored")
                    return
                sender_id = data["session_id"]
            else:
                sender_id = sid
            metadata = data.get(self.metadata_key) or {}
            if isinstance(metadata, str):
                metadata = json.loads(metadata)
            text = data.get("message", "")
            text = text if isinstance(text, str) else ""
            output = CountingSocketIOOutput(sio, self.bot_message_evt)
            verdict = gate.check(text, str(sender_id), ip=socket_ip(sio, sid, self.namespace))
            if verdict.action == limits.REPLY:
                await output.send_text_message(sender_id, verdict.text)
                return
            if verdict.action == limits.SILENT:
                return
            await guarded(UserMessage(text, output, sender_id, input_channel=self.name(), metadata=metadata))
            if verdict.urgency:  # urgent past a limit: the numbers, even if Rasa did not give them
                await limits.urgent_net(output, sender_id, verdict.urgency)

        sio.on("session_request", namespace=self.namespace)(session_request)
        sio.on(self.user_message_evt, namespace=self.namespace)(handle_message)
        return blueprint

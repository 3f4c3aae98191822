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
from bot.settings import get_bot_settings
from bot.channels.guard import never_silent
from bot.webchat.security_headers import socketio_allowed_origins

logger = logging.getLogger(__name__)
SOCKETIO_MAX_FRAME_BYTES = 1_000_000
MAX_SESSION_ID_CHARS = 255  # Rasa's tracker store keeps sender_id in a VARCHAR(255)


class MalformedSocketEvent(ValueError):
    """A socket.io payload the widget never sends: refused with a warning, nothing reaches Rasa."""


def _session_id(data: Dict, required: bool) -> Optional[str]:
    value = data.get("session_id")
    if value is None or value == "":
        if required:
            raise MalformedSocketEvent("no session_id")
        return None
    if not isinstance(value, str) or len(value) > MAX_SESSION_ID_CHARS:
        raise MalformedSocketEvent(f"session_id must be a text of at most {MAX_SESSION_ID_CHARS} characters")
    return value


def user_message(data: Any, metadata_key: Text, needs_session: bool) -> tuple:
    """``(session_id, text, metadata)`` of a ``user_uttered`` payload; MalformedSocketEvent otherwise.

    Rasa's own handler raised on a payload that is not an object, on metadata that is not JSON,
    and passed a session id of any type (a number, a list) to the tracker store.
    """
    if not isinstance(data, dict):
        raise MalformedSocketEvent("the payload must be an object")
    session_id = _session_id(data, needs_session)
    text = data.get("message", "")
    if not isinstance(text, str):
        raise MalformedSocketEvent("message must be a text")
    metadata = data.get(metadata_key) or {}
    if isinstance(metadata, str):
        try:
            metadata = json.loads(metadata)
        except ValueError:
            raise MalformedSocketEvent("metadata must be a JSON object") from None
    if not isinstance(metadata, dict):
        raise MalformedSocketEvent("metadata must be an object")
    return session_id, text, metadata


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
        gate = limits.Gate(get_bot_settings(), always_answer=True)
        # Rasa builds AsyncServer(cors_allowed_origins=[]), i.e. any Origin: handshakes from
        # other sites than ours / SESAME_ALLOWED_ORIGINS are refused (400) instead.
        sio.eio.cors_allowed_origins = socketio_allowed_origins()

        async def session_request(sid: Text, data: Any = None, *_extra: Any) -> None:
            data = {} if data is None else data
            try:
                if not isinstance(data, dict):
                    raise MalformedSocketEvent("the payload must be an object")
                data = {**data, "session_id": _session_id(data, required=False) or uuid.uuid4().hex}
            except MalformedSocketEvent as exc:
                logger.warning("socket.io session_request refused: %s", exc)
                return
            if self.session_persistence:
                joined = sio.enter_room(sid, data["session_id"], namespace=self.namespace)
                if inspect.isawaitable(joined):
                    await joined
            await sio.emit("session_confirm", data["session_id"], room=sid, namespace=self.namespace)

        guarded = never_silent(on_new_message)

        async def handle_message(sid: Text, data: Any = None, *_extra: Any) -> None:
            try:
                session_id, text, metadata = user_message(data, self.metadata_key, self.session_persistence)
            except MalformedSocketEvent as exc:
                logger.warning("socket.io message refused: %s", exc)
                return
            sender_id = session_id if self.session_persistence else sid
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

"""Rasa's socket.io channel for the web chat, with session persistence that works.

Rasa 3.6 calls ``sio.enter_room()`` without ``await``; since python-socketio 5.10
that method is a coroutine, so with ``session_persistence: true`` the browser
never joins its session room and never receives a reply. This subclass keeps
everything of Rasa's channel and only replaces the ``session_request`` handler
with one that awaits. The session id (kept by the widget in localStorage) is the
conversation id, so a conversation survives a page reload.
"""
from __future__ import annotations

import inspect
import logging
import uuid
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput
from sanic import Blueprint

logger = logging.getLogger(__name__)


class SesameSocketIOInput(SocketIOInput):
    """Rasa's SocketIOInput (name ``socketio``) with an awaited room join."""

    @classmethod
    def name(cls) -> Text:
        return "socketio"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(on_new_message)
        sio = self.sio

        async def session_request(sid: Text, data: Optional[Dict]) -> None:
            data = dict(data or {})
            if not data.get("session_id"):
                data["session_id"] = uuid.uuid4().hex
            if self.session_persistence:
                joined = sio.enter_room(sid, data["session_id"], namespace=self.namespace)
                if inspect.isawaitable(joined):
                    await joined
            await sio.emit("session_confirm", data["session_id"], room=sid, namespace=self.namespace)

        sio.on("session_request", namespace=self.namespace)(session_request)
        return blueprint

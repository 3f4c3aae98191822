"""The REST channel (``/webhooks/rest/webhook``), with the never-silent guard."""
from __future__ import annotations

from typing import Awaitable, Callable

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint

from bot.channels.guard import never_silent


class GuardedRestInput(RestInput):
    """Rasa's REST channel, except that a turn without any reply gets a kind one."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        return super().blueprint(never_silent(on_new_message))

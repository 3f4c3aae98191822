"""The REST channel (``/webhooks/rest/webhook``), with the never-silent guard.

A malformed body (not a JSON object, or without a text ``message``) gets a 400 with a short
reason, never Rasa's 500 (Rasa's handler calls ``.get`` on whatever JSON it receives).
"""
from __future__ import annotations

from typing import Awaitable, Callable

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request

from bot.channels.guard import never_silent


def malformed(request: Request) -> str | None:
    """Why a webhook body cannot be a resident's message, or None when it can."""
    try:
        body = request.json
    except Exception:  # sanic raises on invalid JSON
        return "le corps doit être du JSON"
    if not isinstance(body, dict):
        return "le corps doit être un objet JSON"
    if not isinstance(body.get("message"), str):
        return "il faut un champ « message » (texte)"
    sender = body.get("sender")
    if sender is not None and not isinstance(sender, (str, int)):
        return "le champ « sender » doit être un texte"
    return None


class GuardedRestInput(RestInput):
    """Rasa's REST channel, except that a turn without any reply gets a kind one."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        blueprint = super().blueprint(never_silent(on_new_message))

        @blueprint.middleware("request")
        async def refuse_malformed(request: Request):  # type: ignore[no-untyped-def]
            if request.method == "POST" and request.path.endswith("/webhook"):
                reason = malformed(request)
                if reason:
                    return response.json({"error": reason}, status=400)
            return None

        return blueprint

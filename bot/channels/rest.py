"""The REST channel (``/webhooks/rest/webhook``), with the never-silent guard and the limits.

A malformed body (not a JSON object, or without a text ``message``) gets a 400 with a short
reason, never Rasa's 500 (Rasa's handler calls ``.get`` on whatever JSON it receives).

Limits (bot/channels/limits.py), all before Rasa's handler, so a refused message is never
parsed by the NLU nor stored in the tracker:
- a body over ``SESAME_MAX_BODY_BYTES`` (64 KB): 413, not parsed (no resident types that much;
  a program sent it);
- a message over ``SESAME_MAX_MESSAGE_CHARS`` (2000): 200 with the kind reply, in Rasa's reply
  format, so any client shows it;
- over the per-sender limit: 200 with the notice; over the per-IP limit: 429 with the notice in
  the same format (and ``Retry-After``). Loopback is exempt by default (tests, the terminal chat,
  a reverse proxy on the same machine unless Sanic is told about it: ``SANIC_PROXIES_COUNT``);
- an urgent message over a limit is still answered by Rasa here (plus the numbers if Rasa's
  answer lacks them), or with the numbers at once.
"""
from __future__ import annotations

from typing import Awaitable, Callable

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from rasa.shared.constants import DEFAULT_SENDER_ID
from sanic import Blueprint, response
from sanic.request import Request

from bot.channels import limits, texts
from bot.settings import get_bot_settings
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
    """Rasa's REST channel, except that a turn without any reply gets a kind one, and the limits."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        guarded = never_silent(on_new_message)
        blueprint = super().blueprint(guarded)
        settings = get_bot_settings()
        gate = limits.Gate(settings, always_answer=True)
        retry_after = str(int(settings.ip_rate_window.total_seconds()))

        @blueprint.middleware("request")
        async def refuse_malformed_or_limited(request: Request):  # type: ignore[no-untyped-def]
            if request.method != "POST" or not request.path.endswith("/webhook"):
                return None
            if len(request.body or b"") > settings.max_body_bytes:
                return response.json({"error": texts.BODY_TOO_LARGE}, status=413)
            reason = malformed(request)
            if reason:
                return response.json({"error": reason}, status=400)
            body = request.json
            sender = str(body.get("sender") if body.get("sender") is not None else DEFAULT_SENDER_ID)
            verdict = gate.check(body["message"], sender, ip=limits.client_ip(request))
            if verdict.action != limits.PROCESS:
                headers = {"Retry-After": retry_after} if verdict.status == 429 else None
                replies = [{"recipient_id": sender, "text": verdict.text}] if verdict.text else []
                return response.json(replies, status=verdict.status, headers=headers)
            urgency = verdict.urgency
            if urgency is None:
                return None  # Rasa's own handler
            # Urgent over a limit: answered by Rasa here (as Rasa's handler would, without streaming).
            collector = CollectingOutputChannel()
            await guarded(UserMessage(body["message"], collector, sender,
                                      input_channel=self._extract_input_channel(request),
                                      metadata=self.get_metadata(request)))
            await limits.urgent_net(collector, sender, urgency)
            return response.json(collector.messages)

        return blueprint

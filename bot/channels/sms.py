"""SMS channel for basic phones: a Rasa input channel with a Twilio-format webhook.

POST {webhooks}/sms/webhook, form fields From and Body, signed with
X-Twilio-Signature (anything else gets 403 and is not processed; a body over
SESAME_MAX_BODY_BYTES gets 413; an IP with too many refused requests gets 429).
Before NLU: STOP/ARRET and START (stored), the per-number rate limit and the
length limit (bot/channels/limits.py: neither, nor STOP, ever silences an urgent
message), AIDE (menu) and numbered answers ("2" → the second choice of the last
question). Rasa's replies for the turn are collected, rendered once for SMS and
sent through the provider adapter.
"""
from __future__ import annotations

import asyncio
import logging
import re
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from messaging.state import store
from actions.common.privacy import pseudonym
from actions.common.settings import get_settings
from actions.common.text import fold
from bot.channels import limits, texts, twilio_signature
from bot.settings import get_bot_settings
from bot.channels.guard import never_silent, no_answer_text
from bot.channels.render import Choice, from_rasa, render_sms, resolve_choice
from messaging.sms_providers import SmsProviderError, get_provider, raw_provider

logger = logging.getLogger(__name__)

STOP_WORDS = {"stop", "arret", "arreter", "stop sms", "desabonner", "desinscrire"}
START_WORDS = {"start", "demarrer", "reprendre"}
HELP_WORDS = {"aide", "help", "menu"}
HELP_PAYLOAD = "/help"
# What Twilio puts in From for an inbound SMS: an E.164 number (at most 15 digits after "+"),
# or a short code's digits. Anything else is not a resident's phone: refused with a 400
# before it reaches a column sized for a phone number (String(20) on PostgreSQL).
SENDER = re.compile(r"\+?[0-9]{3,15}")
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


class SmsCollector(CollectingOutputChannel):
    """Collects one turn's replies; named ``sms`` so Rasa picks the ``channel: sms`` response variants."""

    @classmethod
    def name(cls) -> Text:
        return "sms"


class SmsOutput(OutputChannel):
    """Sends a message outside a webhook (e.g. a conseiller's reply) to the number behind the conversation."""

    @classmethod
    def name(cls) -> Text:
        return "sms"

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        phone = await asyncio.to_thread(store.phone_for_sender, recipient_id)
        if phone is None:
            logger.warning("No phone number known for SMS conversation %s", recipient_id)
            return
        await deliver(phone, [from_rasa(message)])

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"text": text})


async def deliver(phone: str, messages: list) -> None:
    """Render a turn for SMS, remember its choices and send every part (opted-out numbers get nothing)."""
    reply = render_sms(messages)
    if not reply.parts:
        return
    choices = [{"title": c.title, "payload": c.payload} for c in reply.choices]
    await asyncio.to_thread(store.remember_contact, phone, choices)
    provider = get_provider()
    for part in reply.parts:
        try:
            await asyncio.to_thread(provider.send, phone, part)
        except SmsProviderError as exc:
            logger.error("SMS to %s not sent: %s", pseudonym(phone), exc)
            return


async def send_plain(phone: str, text: str, guarded: bool = True) -> None:
    """One channel text (STOP confirmation, rate notice) through the provider."""
    provider = get_provider() if guarded else raw_provider()
    try:
        await asyncio.to_thread(provider.send, phone, text)
    except SmsProviderError as exc:
        logger.error("SMS to %s not sent: %s", pseudonym(phone), exc)


class SmsInput(InputChannel):
    """Twilio-format inbound SMS webhook with signature validation."""

    @classmethod
    def name(cls) -> Text:
        return "sms"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "SmsInput":
        credentials = credentials or {}
        return cls(
            auth_token=credentials.get("auth_token") or get_settings().twilio_auth_token,
            webhook_url=credentials.get("webhook_url") or get_bot_settings().sms_webhook_url or None,
        )

    def __init__(self, auth_token: str = "", webhook_url: str | None = None) -> None:
        self.auth_token = auth_token
        self.webhook_url = webhook_url
        settings = get_bot_settings()
        # The per-number count is in the database (store.count_message); the gate decides
        # length and the urgent exception, and counts refused requests per IP.
        self.gate = limits.Gate(settings, always_answer=False,
                                rate_text=texts.rate_limited(settings.sms_rate_window))

    def get_output_channel(self) -> OutputChannel:
        return SmsOutput()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        sms_webhook = Blueprint("sesame_sms_webhook", __name__)
        on_new_message = never_silent(on_new_message)  # a turn without reply still gets one

        @sms_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sms_webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            ip = limits.client_ip(request)
            if self.gate.ip_blocked(ip):
                return response.text("too many refused requests", status=429)
            if len(request.body or b"") > get_bot_settings().max_body_bytes:
                return response.text("request too large", status=413)
            params = [(k, v) for k, values in request.form.items() for v in values]
            url = self.webhook_url or request.url
            if not twilio_signature.is_valid(
                self.auth_token, url, params, request.headers.get("X-Twilio-Signature")
            ):
                logger.warning("SMS webhook: invalid or missing X-Twilio-Signature, request refused")
                self.gate.record_refusal(ip)
                return response.text("invalid signature", status=403)
            phone = (request.form.get("From") or "").strip()
            body = request.form.get("Body")
            if not phone or body is None:
                return response.text("missing From or Body", status=400)
            if not SENDER.fullmatch(phone):
                logger.warning("SMS webhook: From is not a phone number (%d characters), request refused",
                               len(phone))
                return response.text("From must be a phone number", status=400)
            await self.handle(phone, body.replace("¡", "@"), on_new_message)
            return response.text(EMPTY_TWIML, content_type="text/xml")

        return sms_webhook

    async def handle(
        self, phone: str, body: str, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> None:
        """Keywords and limits first, then Rasa; replies are sent through the provider."""
        keyword = fold(body).strip(" .!")
        if keyword in STOP_WORDS:
            if await asyncio.to_thread(store.is_opted_out, phone):
                return  # already stopped: not even a second confirmation
            await send_plain(phone, texts.SMS_STOPPED, guarded=False)
            await asyncio.to_thread(store.opt_out, phone, keyword.upper())
            logger.info("SMS %s opted out", pseudonym(phone))
            return
        if keyword in START_WORDS:
            await asyncio.to_thread(store.opt_in, phone)
            await send_plain(phone, texts.SMS_RESTARTED)
            return
        if await asyncio.to_thread(store.is_opted_out, phone):
            found = limits.urgency(body)
            if found:  # STOP never silences an emergency: the numbers, and nothing else, no Rasa
                await send_plain(phone, texts.urgent_text(found.kinds, found.cannot_speak), guarded=False)
                logger.info("Urgent SMS from opted-out %s answered with the numbers", pseudonym(phone))
            else:
                logger.info("SMS from opted-out %s ignored", pseudonym(phone))
            return
        settings = get_bot_settings()
        decision = await asyncio.to_thread(
            store.count_message, phone, settings.sms_rate_limit, settings.sms_rate_window
        )
        sender_id = store.sms_sender_id(phone)
        verdict = self.gate.check(body, sender_id, rate=decision)
        if not decision.allowed:
            logger.info("SMS from %s over the rate limit: %s%s", pseudonym(phone), verdict.action,
                        " (urgent, passed to Rasa)" if verdict.urgency else "")
        if verdict.action == limits.SILENT:
            return
        if verdict.action == limits.REPLY:
            await send_plain(phone, verdict.text)
            return
        if not body.strip():  # a photo or an empty message
            await send_plain(phone, texts.SMS_NOT_TEXT)
            return
        text = await self._text_for_rasa(phone, body, keyword)
        collector = SmsCollector()
        try:
            await on_new_message(
                UserMessage(text, collector, sender_id, input_channel=self.name(), metadata={"channel": "sms"})
            )
        except Exception:  # Rasa failed: the resident still gets an answer
            logger.exception("SMS turn for %s failed", sender_id)
            await send_plain(phone, no_answer_text())
            return
        if verdict.urgency:  # urgent past the limit: the numbers, even if Rasa did not give them
            await limits.urgent_net(collector, sender_id, verdict.urgency)
        await deliver(phone, [from_rasa(m) for m in collector.messages])

    @staticmethod
    async def _text_for_rasa(phone: str, body: str, keyword: str) -> str:
        """AIDE becomes the help intent; a number picks a choice of the last question."""
        if keyword in HELP_WORDS:
            return HELP_PAYLOAD
        saved = await asyncio.to_thread(store.last_choices, phone)
        choice = resolve_choice(body, [Choice(c["title"], c["payload"]) for c in saved])
        return choice.payload if choice else body

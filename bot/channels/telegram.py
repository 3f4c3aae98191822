"""Telegram channel (python-telegram-bot 22): webhook in, PTB Bot out.

POST {webhooks}/telegram/webhook must carry X-Telegram-Bot-Api-Secret-Token
(403 otherwise). Updates are parsed with PTB; buttons go out as inline keyboards
whose callback data are short ids mapped to Rasa payloads in the database;
callback queries are always answered. /start and /aide open the menu. Photos,
stickers, voice notes and group chats get a short explanation, never an error.
Before Rasa, per chat: the rate limit (one notice per window, then quiet) and the
length limit (a kind reply); neither ever silences an urgent message
(bot/channels/limits.py). Bodies over SESAME_MAX_BODY_BYTES get 413; an IP with too
many wrong secrets gets 429.
"""
from __future__ import annotations

import asyncio
import hmac
import logging
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatAction, ChatType
from telegram.error import TelegramError

from messaging.state import store
from actions.common.privacy import pseudonym
from actions.common.settings import get_settings
from bot.channels import limits, texts
from bot.settings import get_bot_settings
from bot.channels.guard import never_silent, no_answer_text
from bot.channels.render import from_rasa, render_telegram
from messaging.telegram import make_bot

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
ALLOWED_UPDATES = ["message", "callback_query"]
COMMANDS = {"/start": "/greet", "/aide": "/help", "/help": "/help", "/menu": "/help"}
MENU_COMMANDS = [("start", "Commencer"), ("aide", "Voir ce que Sésame sait faire")]


async def publish_commands(bot: Bot) -> None:
    """Show /start and /aide in Telegram's command menu (residents need not remember them)."""
    try:
        await bot.set_my_commands(MENU_COMMANDS)
    except TelegramError as exc:
        logger.info("Command menu not published: %s", exc)


class TelegramNotConfigured(Exception):
    """The Telegram channel needs a bot token and a webhook secret."""


def command_payload(text: str) -> str | None:
    """'/start', '/aide@SesameBot' … → the Rasa payload they stand for."""
    first = text.strip().split(maxsplit=1)[0].split("@", 1)[0].lower() if text.strip() else ""
    return COMMANDS.get(first)


class TelegramOutput(CollectingOutputChannel):
    """Sends Rasa's messages with PTB; buttons become an inline keyboard.

    It also keeps what it sent (``messages``), so the never-silent guard can see a
    turn that produced no reply.
    """

    def __init__(self, bot: Bot) -> None:
        super().__init__()
        self.bot = bot

    @classmethod
    def name(cls) -> Text:
        return "telegram"

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        self.messages.append(dict(message))
        rendered = render_telegram(from_rasa(message), store.save_callback)
        if not rendered.text:
            return
        markup = None
        if rendered.keyboard:
            markup = InlineKeyboardMarkup(
                [[InlineKeyboardButton(title, callback_data=data) for title, data in row] for row in rendered.keyboard]
            )
        parts = rendered.parts
        try:
            for index, part in enumerate(parts):
                last = index == len(parts) - 1
                await self.bot.send_message(chat_id=int(recipient_id), text=part, reply_markup=markup if last else None)
        except TelegramError as exc:
            logger.error("Telegram message to %s not sent: %s", pseudonym(recipient_id), exc)

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"text": text})

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        await self.send_response(recipient_id, {"text": text, "buttons": buttons})

    async def send_image_url(self, recipient_id: Text, image: Text, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"image": image})

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        return None  # nothing a resident could read

    async def send_attachment(self, recipient_id: Text, attachment: Text, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"text": str(attachment)})


class TelegramInput(InputChannel):
    """Webhook receiving Telegram updates, checked against the secret token set with setWebhook."""

    @classmethod
    def name(cls) -> Text:
        return "telegram"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "TelegramInput":
        credentials = credentials or {}
        settings = get_settings()
        return cls(
            token=credentials.get("access_token") or settings.telegram_token,
            secret=credentials.get("secret_token") or settings.telegram_secret,
            webhook_url=credentials.get("webhook_url") or get_bot_settings().telegram_webhook_url or None,
        )

    def __init__(self, token: str, secret: str, webhook_url: str | None = None, base_url: str | None = None) -> None:
        # Without a token and a secret the channel stays mounted but disabled (503), so the
        # embedded `make run` starts without Telegram credentials and nothing is ever accepted.
        self.enabled = bool(token and secret)
        if not self.enabled:
            logger.warning("Telegram channel disabled: set TELEGRAM_TOKEN and TELEGRAM_SECRET_TOKEN")
        self.secret = secret
        self.webhook_url = webhook_url
        self.bot = make_bot(token or "0:disabled", base_url)
        self._ready = asyncio.Lock()
        self.gate = limits.Gate(always_answer=False)

    def get_output_channel(self) -> OutputChannel:
        if not self.enabled:
            raise TelegramNotConfigured("set TELEGRAM_TOKEN and TELEGRAM_SECRET_TOKEN")
        return TelegramOutput(self.bot)

    async def _ensure_bot(self) -> None:
        async with self._ready:  # PTB calls getMe once; later calls return at once
            await self.bot.initialize()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        telegram_webhook = Blueprint("sesame_telegram_webhook", __name__)
        on_new_message = never_silent(on_new_message)  # a turn without reply still gets one

        @telegram_webhook.listener("after_server_start")
        async def register_webhook(_app: Any, _loop: Any) -> None:
            if self.webhook_url and self.enabled:
                await self._ensure_bot()
                await self.bot.set_webhook(
                    self.webhook_url, secret_token=self.secret, allowed_updates=ALLOWED_UPDATES
                )
                await publish_commands(self.bot)

        @telegram_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @telegram_webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self.enabled:
                return response.text("Telegram channel not configured", status=503)
            ip = limits.client_ip(request)
            if self.gate.ip_blocked(ip):
                return response.text("too many refused requests", status=429)
            if len(request.body or b"") > get_bot_settings().max_body_bytes:
                return response.text("request too large", status=413)
            given = request.headers.get(SECRET_HEADER, "")
            # Sanic keeps a header's non-UTF-8 bytes as lone surrogates (surrogateescape): a plain
            # encode() raised on them and a wrong secret such as "À" got a 500 instead of a 403.
            if not hmac.compare_digest(given.encode("utf-8", "surrogateescape"), self.secret.encode()):
                logger.warning("Telegram webhook: wrong or missing secret token, request refused")
                self.gate.record_refusal(ip)
                return response.text("forbidden", status=403)
            try:
                await self._ensure_bot()
                update = Update.de_json(request.json or {}, self.bot)
                await self.handle(update, on_new_message)
            except Exception:  # Telegram retries on errors: log, and acknowledge anyway
                logger.exception("Telegram update could not be handled")
            return response.text("ok")

        return telegram_webhook

    async def handle(self, update: Update, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        """Route one update: button press, text, command, or anything else."""
        if update.callback_query is not None:
            await self._handle_button(update, on_new_message)
            return
        message = update.message
        if message is None:
            return  # edited messages, channel posts, member updates…: nothing to answer
        chat = message.chat
        command = command_payload(message.text or "")
        if chat.type != ChatType.PRIVATE:
            # Group messages are not read, not even for the limits; only commands are answered.
            if command and await self._passes(self.gate.check("", str(chat.id)), chat.id):
                await self.bot.send_message(chat_id=chat.id, text=texts.TELEGRAM_GROUP)
            return
        verdict = self.gate.check(message.text or "", str(chat.id))
        if not await self._passes(verdict, chat.id):
            return
        if not message.text:
            await self.bot.send_message(chat_id=chat.id, text=texts.TELEGRAM_NOT_TEXT)
            return
        await self._to_rasa(str(chat.id), command or message.text, on_new_message, verdict.urgency)

    async def _passes(self, verdict: limits.Verdict, chat_id: int | str) -> bool:
        """True when the message goes on; otherwise send the gate's reply, if any."""
        if verdict.action == limits.PROCESS:
            return True
        if verdict.action == limits.REPLY:
            await self.bot.send_message(chat_id=int(chat_id), text=verdict.text)
        logger.info("Telegram message from %s stopped by a limit (%s)", pseudonym(str(chat_id)), verdict.action)
        return False

    async def _handle_button(self, update: Update, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        query = update.callback_query
        if query is None:  # called for callback queries only; narrows the type
            return
        payload = await asyncio.to_thread(store.payload_for_callback, query.data or "")
        if payload is None or query.message is None:
            await query.answer(text=texts.TELEGRAM_OLD_BUTTON)
            return
        await query.answer()
        chat_id = str(query.message.chat.id)
        verdict = self.gate.check(payload, chat_id)
        if not await self._passes(verdict, chat_id):
            return
        try:
            await query.edit_message_reply_markup(reply_markup=None)  # one press per question
        except TelegramError as exc:
            logger.info("Keyboard not removed: %s", exc)
        await self._to_rasa(chat_id, payload, on_new_message, verdict.urgency)

    async def _to_rasa(self, chat_id: str, text: str, on_new_message: Callable[[UserMessage], Awaitable[Any]],
                       urgent: limits.Urgency | None = None) -> None:
        try:
            await self.bot.send_chat_action(chat_id=int(chat_id), action=ChatAction.TYPING)  # "Sésame écrit…"
        except TelegramError as exc:
            logger.info("Typing indicator not shown: %s", exc)
        output = TelegramOutput(self.bot)
        try:
            await on_new_message(
                UserMessage(text, output, chat_id, input_channel=self.name(), metadata={"channel": "telegram"})
            )
        except Exception:
            logger.exception("Telegram turn for %s failed", pseudonym(chat_id))
            await self.bot.send_message(chat_id=int(chat_id), text=no_answer_text())
            if urgent:
                await limits.urgent_net(output, chat_id, urgent)
            return
        if urgent:  # urgent past the limit: the numbers, even if Rasa did not give them
            await limits.urgent_net(output, chat_id, urgent)

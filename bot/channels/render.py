"""One rendering layer: Rasa bot messages → what each channel can show.

Actions never format per channel. They send text and real Rasa buttons; this
module turns them into numbered choices on SMS, an inline keyboard on Telegram
and real buttons on the web. Everything here is a pure function.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping, Sequence

from actions.common.text import fold
from messaging import gsm7


@dataclass(frozen=True)
class Choice:
    """A button: what the resident reads (title) and what Rasa receives (payload)."""

    title: str
    payload: str


@dataclass(frozen=True)
class BotMessage:
    """The channel-neutral part of one Rasa bot message."""

    text: str = ""
    choices: tuple[Choice, ...] = ()
    image: str = ""


def from_rasa(message: Mapping[str, Any]) -> BotMessage:
    """Read a Rasa output message (text + buttons or quick_replies); titleless buttons are dropped."""
    raw = message.get("buttons") or message.get("quick_replies") or []
    choices = tuple(
        Choice(str(b.get("title", "")).strip(), str(b.get("payload", "")).strip())
        for b in raw
        if str(b.get("title", "")).strip() and str(b.get("payload", "")).strip()
    )
    return BotMessage(str(message.get("text") or "").strip(), choices, str(message.get("image") or ""))


_MD_LINK = re.compile(r"\[([^\]]+)\]\((https?://[^)\s]+)\)")
_MD_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1")


def plain_text(text: str) -> str:
    """Strip the little Markdown responses may carry: links become "label : url", bold is dropped."""
    text = _MD_LINK.sub(lambda m: f"{m.group(1)} : {m.group(2)}", text)
    return _MD_EMPHASIS.sub(lambda m: m.group(2), text)


# ---------------------------------------------------------------- SMS

SMS_MAX_SEGMENTS = 2


def choice_prompt(count: int) -> str:
    """'Répondez 1.' / 'Répondez 1 ou 2.' / 'Répondez 1, 2 ou 3.'"""
    numbers = [str(i) for i in range(1, count + 1)]
    if count == 1:
        return "Répondez 1."
    return f"Répondez {', '.join(numbers[:-1])} ou {numbers[-1]}."


@dataclass(frozen=True)
class SmsReply:
    """The SMS to send for one turn, and the choices a numbered answer will refer to."""

    parts: tuple[str, ...]
    choices: tuple[Choice, ...] = field(default=())


def render_sms(messages: Iterable[BotMessage], max_segments: int = SMS_MAX_SEGMENTS) -> SmsReply:
    """All bot messages of one turn as few SMS as possible, GSM-7 folded.

    The buttons of the last message that has some become a numbered list and a
    "Répondez 1, 2 ou 3." line; payloads are never shown.
    """
    messages = list(messages)
    question = next((m for m in reversed(messages) if m.choices), None)
    lines: list[str] = []
    for message in messages:
        if message.text:
            lines.append(plain_text(message.text))
        if message.image:
            lines.append(message.image)
        if message is question:
            lines += [f"{i}. {c.title}" for i, c in enumerate(message.choices, start=1)]
            lines.append(choice_prompt(len(message.choices)))
    body = gsm7.normalise("\n".join(line for line in lines if line.strip()))
    parts = tuple(gsm7.split_sms(body, max_segments))
    return SmsReply(parts, question.choices if question else ())


_NUMBER_WORDS = {
    "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5,
    "six": 6, "sept": 7, "huit": 8, "neuf": 9, "dix": 10,
}
_NUMBERED = re.compile(r"^(?:(?:le|la|choix|numero|n|no|num)\s*\.?\s*)?(\d{1,2}|[a-z]+)\s*[.)!]?$")


def resolve_choice(text: str, choices: Sequence[Choice]) -> Choice | None:
    """Which choice a short SMS answer means: "2", "2.", "le 2", "deux", or the title itself."""
    if not choices:
        return None
    folded = fold(text).strip(" .!")
    match = _NUMBERED.match(folded)
    if match:
        token = match.group(1)
        number = int(token) if token.isdigit() else _NUMBER_WORDS.get(token)
        if number is not None:
            return choices[number - 1] if 1 <= number <= len(choices) else None
    for choice in choices:
        if fold(choice.title).strip(" .!") == folded:
            return choice
    return None


# ---------------------------------------------------------------- Telegram

TELEGRAM_CALLBACK_MAX_BYTES = 64
TELEGRAM_TEXT_MAX = 4096


def callback_id(payload: str) -> str:
    """A short, stable id for a payload (Telegram allows 64 bytes of callback data)."""
    return "c" + hashlib.sha256(payload.encode()).hexdigest()[:20]


@dataclass(frozen=True)
class TelegramMessage:
    """Text plus inline keyboard rows of (title, callback data); ``parts`` when text is too long."""

    text: str
    keyboard: tuple[tuple[tuple[str, str], ...], ...] = ()

    @property
    def parts(self) -> list[str]:
        """The text cut into Telegram-sized messages at line, then word boundaries."""
        return split_text(self.text, TELEGRAM_TEXT_MAX)


def split_text(text: str, limit: int) -> list[str]:
    """Cut ``text`` into pieces of at most ``limit`` characters, between lines or words."""
    parts: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = rest.rfind("\n", 0, limit + 1)
        if cut <= 0:
            cut = rest.rfind(" ", 0, limit + 1)
        if cut <= 0:
            cut = limit
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        parts.append(rest)
    return parts


def render_telegram(message: BotMessage, register: Callable[[str, str], None]) -> TelegramMessage:
    """Buttons become one inline-keyboard row each; ``register(id, payload)`` remembers the mapping."""
    rows = []
    for choice in message.choices:
        data = callback_id(choice.payload)
        register(data, choice.payload)
        rows.append(((choice.title, data),))
    text = plain_text(message.text)
    if message.image:
        text = f"{text}\n{message.image}".strip()
    if not text and rows:
        text = "Choisissez :"
    return TelegramMessage(text, tuple(rows))


# ---------------------------------------------------------------- Web

def render_web(message: BotMessage) -> dict[str, Any]:
    """The web chat keeps real buttons; its client escapes the text itself."""
    out: dict[str, Any] = {"text": message.text}
    if message.choices:
        out["buttons"] = [{"title": c.title, "payload": c.payload} for c in message.choices]
    if message.image:
        out["image"] = message.image
    return out

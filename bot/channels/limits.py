"""What a channel lets through to Rasa: message length, per-sender and per-IP rates.

Every channel asks its :class:`Gate` before a message reaches Rasa's NLU or the
tracker store, so a refused message is never parsed nor stored.

The rule that no limit may break: **no limit and no opt-out ever silences an urgent
message.** A message over a limit that names an emergency (``bot.nlu.crisis_cues``,
plus a few words the NLU has no family for, such as a fire) is still passed to
Rasa, and when Rasa's answer does not give the emergency's number the channel adds
it (:func:`urgent_net`). Past ``SESAME_URGENT_OVER_LIMIT`` such messages in one
window (someone could repeat an urgent word to flood the bot), or when the message
is too long to read, the channel answers at once with the numbers, without Rasa.

Only a bounded part of a message is ever scanned for urgent words (the crisis
patterns take 0.6 s on 40,000 characters, 13 s on 200,000): the first and the last
``URGENT_SCAN_CHARS``.

Counters live in memory, per process (the SMS channel counts in the database,
``messaging.state.store.count_message``, and only borrows the decision here).
"""
from __future__ import annotations

import ipaddress
import logging
import re
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Callable, Iterable, Optional

from bot.channels import texts
from bot.settings import BotSettings, get_bot_settings
from actions.common.privacy import pseudonym
from bot.nlu.crisis_cues import cannot_speak, families_in, fold

logger = logging.getLogger(__name__)

URGENT_SCAN_CHARS = 2000
PROCESS, REPLY, SILENT = "process", "reply", "silent"

# Words the channels treat as urgent on top of crisis_cues: only to let a message through a
# limit (a false alarm then costs one processed message), never to choose a crisis answer.
CHANNEL_CUES: dict[str, tuple[str, ...]] = {
    "urgent_fire": (r"\bau feu\b", r"\b(le|du) feu\b", r"\bincendie", r"\bfumee", r"\bflammes?\b",
                    r"\b(ca|tout|maison|appartement) brule\b", r"\b(fuite|odeur) de gaz\b", r"\b18\b"),
    "urgent_general": (r"\bau secours\b", r"\burgen(t|te|ts|tes|ce)\b", r"\baccident", r"\bblesse",
                       r"\bpolice\b", r"\bgendarm", r"\bambulance\b", r"\bdanger\b", r"\b17\b"),
}
_CHANNEL_CUES = {name: re.compile("|".join(patterns)) for name, patterns in CHANNEL_CUES.items()}

# The order in which an urgent answer names the kinds of emergency (the most serious first).
PRIORITY = ("urgent_suicide", "urgent_child", "urgent_violence", "urgent_medical", "urgent_fire",
            "urgent_shelter", "urgent_general")
# The number an answer to each kind must give (any one of them).
EXPECTED_NUMBERS = {
    "urgent_suicide": ("3114",), "urgent_child": ("119",), "urgent_violence": ("17", "3919"),
    "urgent_medical": ("15", "112"), "urgent_fire": ("18", "112"), "urgent_shelter": ("115",),
    "urgent_general": ("15", "17", "18", "112"),
}
_NUMBER = re.compile(r"(?<!\d)(15|17|18|112|114|115|119|3114|3919)(?!\d)")


@dataclass(frozen=True)
class Urgency:
    """The kinds of emergency a message names (most serious first), and whether the person cannot speak."""

    kinds: tuple[str, ...] = ()
    cannot_speak: bool = False

    def __bool__(self) -> bool:
        return bool(self.kinds) or self.cannot_speak

    def expected_numbers(self) -> tuple[str, ...]:
        if self.kinds:
            return EXPECTED_NUMBERS.get(self.kinds[0], ("15", "17", "18", "112"))
        return ("114",)


def _sample(text: str) -> str:
    if len(text) <= 2 * URGENT_SCAN_CHARS:
        return text
    return text[:URGENT_SCAN_CHARS] + "\n" + text[-URGENT_SCAN_CHARS:]


def urgency(text: str) -> Urgency:
    """What emergency the message names, if any. A button payload ``/urgent_x`` is urgent of kind x."""
    text = text or ""
    if text.startswith("/"):
        intent = text[1:].split("{", 1)[0].strip()
        return Urgency((intent,)) if intent.startswith("urgent_") else Urgency()
    sample = _sample(text)
    found = set(families_in(sample))
    folded = fold(sample)
    found |= {name for name, pattern in _CHANNEL_CUES.items() if pattern.search(folded)}
    kinds = tuple(name for name in PRIORITY if name in found) + tuple(sorted(found - set(PRIORITY)))
    return Urgency(kinds, cannot_speak(sample))


def gives_numbers(replies: Iterable[Any], wanted: Urgency) -> bool:
    """True when one of the replies gives a number the emergency calls for."""
    expected = set(wanted.expected_numbers())
    for reply in replies:
        text = reply.get("text") if isinstance(reply, dict) else None
        if isinstance(text, str) and expected & set(_NUMBER.findall(text)):
            return True
    return False


async def urgent_net(output: Any, sender_id: str, wanted: Urgency) -> None:
    """After a turn that passed a limit as urgent: add the numbers if Rasa's answer lacks them.

    ``output`` is the turn's output channel; every Sésame output keeps what it sent in a
    ``messages`` list (SMS collector, Telegram, socket.io, REST collector).
    """
    messages = getattr(output, "messages", None)
    if isinstance(messages, list) and gives_numbers(messages, wanted):
        return
    await output.send_text_message(sender_id, texts.urgent_text(wanted.kinds, wanted.cannot_speak))


# ---------------------------------------------------------------- counters

@dataclass(frozen=True)
class Rate:
    """Whether a message is within its limit; ``notify`` is True the first time a window is exceeded."""

    allowed: bool
    notify: bool = False
    count: int = 0


class WindowCounter:
    """Messages per key in fixed windows, in memory. A limit of 0 or less means no limit.

    Memory is bounded: past ``max_keys`` keys, finished windows are dropped first, then
    the oldest keys.
    """

    def __init__(self, limit: int, window: timedelta, max_keys: int = 100_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.seconds = max(1, int(window.total_seconds()))
        self.max_keys = max_keys
        self.clock = clock
        self._counts: dict[str, list] = {}  # key -> [window index, count, notified]; oldest first
        self._lock = threading.Lock()

    def _window(self) -> int:
        return int(self.clock() // self.seconds)

    def hit(self, key: str) -> Rate:
        """Count one message for ``key`` and decide."""
        if self.limit <= 0:
            return Rate(True)
        with self._lock:
            now = self._window()
            entry = self._counts.get(key)
            if entry is None or entry[0] != now:
                self._counts.pop(key, None)
                self._prune(now)
                entry = self._counts[key] = [now, 0, False]
            entry[1] += 1
            if entry[1] <= self.limit:
                return Rate(True, False, entry[1])
            notify = not entry[2]
            entry[2] = True
            return Rate(False, notify, entry[1])

    def over(self, key: str) -> bool:
        """True when ``key`` is past its limit in this window (without counting)."""
        if self.limit <= 0:
            return False
        with self._lock:
            entry = self._counts.get(key)
            return entry is not None and entry[0] == self._window() and entry[1] >= self.limit

    def _prune(self, now: int) -> None:
        if len(self._counts) < self.max_keys:
            return
        for key in [k for k, entry in self._counts.items() if entry[0] != now]:
            del self._counts[key]
        excess = len(self._counts) - self.max_keys // 2
        for key in list(self._counts)[:max(0, excess)]:
            del self._counts[key]


# ---------------------------------------------------------------- the gate

def client_ip(request: Any) -> str:
    """The client's address: Sanic's ``remote_addr`` when a proxy is configured
    (``SANIC_PROXIES_COUNT``/``SANIC_REAL_IP_HEADER``), else the peer address."""
    return getattr(request, "remote_addr", "") or getattr(request, "ip", "") or ""


@dataclass(frozen=True)
class Verdict:
    """What the channel does with a message.

    ``action``: PROCESS (pass to Rasa), REPLY (send ``text``, no Rasa) or SILENT.
    ``urgency``: set when an urgent message passed a limit; call :func:`urgent_net` after the turn.
    ``status``: the HTTP status a request/response channel returns (429 when an IP is over its limit).
    """

    action: str
    text: str = ""
    urgency: Optional[Urgency] = None
    status: int = 200


class Gate:
    """The limits of one channel instance: length, per sender, per IP, and the urgent exception.

    ``always_answer``: request/response channels (REST, web chat) answer every limited message
    with the notice; push channels (SMS, Telegram) send it once per window, then stay quiet.
    """

    def __init__(self, settings: BotSettings | None = None, *, always_answer: bool,
                 rate_text: str | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        settings = settings or get_bot_settings()
        self.max_chars = settings.max_message_chars
        self.always_answer = always_answer
        self.rate_text = rate_text or texts.rate_limited(settings.rate_window)
        self.senders = WindowCounter(settings.rate_limit, settings.rate_window, clock=clock)
        self.ips = WindowCounter(settings.ip_rate_limit, settings.ip_rate_window, clock=clock)
        self.refused = WindowCounter(settings.ip_rate_limit, settings.ip_rate_window, clock=clock)
        # How many urgent messages over a limit still go to Rasa per window (0: none, the channel
        # answers them at once with the numbers).
        self.urgent_allowance = WindowCounter(settings.urgent_over_limit, settings.rate_window, clock=clock)
        self._urgent_allowed = settings.urgent_over_limit > 0
        self.exempt = settings.ip_rate_exempt

    def ip_exempt(self, ip: str) -> bool:
        if not ip:
            return True
        try:
            address = ipaddress.ip_address(ip)
        except ValueError:
            return False
        return any(address in network for network in self.exempt)

    # Provider webhooks (SMS, Telegram) come from the provider's few addresses, for every
    # resident at once: an IP limit there would silence everyone. Only requests refused for a
    # wrong signature or secret are counted per IP, and an IP past the limit gets 429 at once.
    def ip_blocked(self, ip: str) -> bool:
        return not self.ip_exempt(ip) and self.refused.over(ip)

    def record_refusal(self, ip: str) -> None:
        if not self.ip_exempt(ip):
            self.refused.hit(ip)

    def check(self, text: str, sender: str, ip: str | None = None, rate: Any = None) -> Verdict:
        """Count the message (per IP when given, per sender unless ``rate`` gives the decision) and decide."""
        text = text or ""
        over: tuple[str, bool, int] | None = None
        if ip and not self.ip_exempt(ip):
            by_ip = self.ips.hit(ip)
            if not by_ip.allowed:
                over = ("ip:" + ip, by_ip.notify, 429)
                if by_ip.notify:
                    logger.warning("address %s is over the per-IP limit; if it is a reverse proxy, set "
                                   "SANIC_PROXIES_COUNT or SESAME_IP_RATE_EXEMPT", pseudonym(ip))
        by_sender = rate if rate is not None else self.senders.hit(sender)
        if not by_sender.allowed and over is None:
            over = ("sender:" + sender, by_sender.notify, 200)
        too_long = len(text) > self.max_chars
        if over is not None:
            key, notify, status = over
            found = urgency(text)
            if not found:
                if notify or self.always_answer:
                    return Verdict(REPLY, self.rate_text, status=status)
                return Verdict(SILENT, status=status)
            if too_long or not (self._urgent_allowed and self.urgent_allowance.hit(key).allowed):
                return Verdict(REPLY, texts.urgent_text(found.kinds, found.cannot_speak))
            return Verdict(PROCESS, urgency=found)
        if too_long:
            found = urgency(text)
            return Verdict(REPLY, texts.too_long(found.kinds, found.cannot_speak))
        return Verdict(PROCESS)

"""A small client for Rasa's HTTP API (``--enable-api --auth-token``), as the console uses it.

Four calls: read a conversation's tracker, pause it (ConversationPaused: the resident's messages
are still stored, nothing is predicted), resume it, and append a conseiller's words to the
transcript as a bot utterance. Any network failure or non-2xx answer is :class:`RasaUnavailable`.
"""
from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

import aiohttp

log = logging.getLogger(__name__)

TIMEOUT = aiohttp.ClientTimeout(total=8, connect=3)


class RasaUnavailable(Exception):
    """Rasa's HTTP API did not answer, refused the token, or answered an error."""


class RasaClient:
    def __init__(self, base_url: str, token: str = "") -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self._session: aiohttp.ClientSession | None = None

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=TIMEOUT)
        return self._session

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    def _url(self, conversation_id: str, suffix: str) -> str:
        return f"{self.base_url}/conversations/{quote(conversation_id, safe='')}/{suffix}"

    def _params(self) -> dict[str, str]:
        return {"token": self.token} if self.token else {}

    async def tracker(self, conversation_id: str) -> dict[str, Any]:
        """The conversation's tracker (``events`` holds user and bot messages with timestamps)."""
        try:
            async with self._http().get(self._url(conversation_id, "tracker"), params=self._params()) as resp:
                if resp.status != 200:
                    raise RasaUnavailable(f"tracker: HTTP {resp.status}")
                return await resp.json()
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise RasaUnavailable(f"tracker: {type(exc).__name__}") from exc

    async def append(self, conversation_id: str, events: list[dict[str, Any]]) -> None:
        try:
            async with self._http().post(self._url(conversation_id, "tracker/events"), params=self._params(),
                                         json=events) as resp:
                if resp.status != 200:
                    raise RasaUnavailable(f"events: HTTP {resp.status}")
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise RasaUnavailable(f"events: {type(exc).__name__}") from exc

    async def pause(self, conversation_id: str) -> None:
        await self.append(conversation_id, [{"event": "pause"}])

    async def resume(self, conversation_id: str) -> None:
        await self.append(conversation_id, [{"event": "resume"}])

    async def bot_message(self, conversation_id: str, text: str, author: str) -> None:
        await self.append(conversation_id, [{"event": "bot", "text": text, "metadata": {"author": author}}])


def transcript(tracker: dict[str, Any], after: float = 0.0) -> list[dict[str, Any]]:
    """User and bot messages of a tracker, oldest first, strictly after the ``after`` timestamp."""
    lines = []
    for event in tracker.get("events") or []:
        kind = event.get("event")
        if kind not in ("user", "bot"):
            continue
        text = str(event.get("text") or "").strip()
        stamp = float(event.get("timestamp") or 0.0)
        if not text or stamp <= after:
            continue
        if kind == "user":
            if text.startswith("/"):  # a button payload, not the resident's words
                continue
            author = "Résident"
        else:
            author = str((event.get("metadata") or {}).get("author") or "Sésame (robot)")
        lines.append({"kind": kind, "author": author, "text": text, "timestamp": stamp})
    return lines

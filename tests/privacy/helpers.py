"""Conversations written and read through Rasa's own SQLTrackerStore, on SQLite or PostgreSQL."""
from __future__ import annotations

import asyncio
import time

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.engine import make_url

DAY = 86_400


def rasa_store(url: str) -> SQLTrackerStore:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return SQLTrackerStore(Domain.empty(), dialect="sqlite", db=parsed.database)
    return SQLTrackerStore(Domain.empty(), dialect="postgresql", host=parsed.host, port=parsed.port,
                           db=parsed.database, username=parsed.username, password=parsed.password or "")


def say(store: SQLTrackerStore, sender: str, days_ago: float, text: str = "j'ai un souci avec ma CAF") -> None:
    """One turn of the resident and the bot, ``days_ago`` days ago."""
    at = time.time() - days_ago * DAY
    tracker = asyncio.run(store.retrieve(sender)) or DialogueStateTracker(sender, slots=[])
    for event in (ActionExecuted("action_listen", timestamp=at), UserUttered(text, timestamp=at + 1),
                  BotUttered("Je vous explique.", timestamp=at + 2)):
        tracker.update(event)
    asyncio.run(store.save(tracker))


def stored(store: SQLTrackerStore, sender: str) -> bool:
    return asyncio.run(store.retrieve(sender)) is not None

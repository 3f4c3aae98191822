"""Remember which Event class each stored event type names, instead of searching every time.

Rasa rebuilds its list of every Event subclass for *each* stored event it reads back, so
reading a conversation cost more the longer it was (tests/patches/test_event_lookup.py).
"""
from __future__ import annotations

from typing import Optional

WRITTEN_FOR = {"rasa": "3.6.21"}


def cached_event_lookup() -> None:
    """Make ``Event.resolve_by_type`` remember the classes it found.

    Rasa rebuilds its list of every Event subclass for *each* stored event it reads back
    (about 0.4 ms each here), so reading a conversation from the tracker store grew with
    its length: a booking conversation of 100 events cost about 40 ms a turn. Unknown
    names and defaults still go through Rasa's own lookup (and its errors).
    """
    from rasa.shared.core.events import Event

    rasa_lookup = Event.resolve_by_type
    found: dict[str, type] = {}

    def resolve_by_type(type_name: str, default: Optional[type] = None) -> Optional[type]:
        known = found.get(type_name)
        if known is not None:
            return known
        result = rasa_lookup(type_name, default)
        if result is not None and result is not default:
            found[type_name] = result
        return result

    Event.resolve_by_type = staticmethod(resolve_by_type)  # type: ignore[method-assign]


def install() -> None:
    """Install the cached lookup on ``Event.resolve_by_type``."""
    cached_event_lookup()

"""One way to answer a resident: a :class:`Reply`, decided by plain code, without Rasa.

The capabilities (catalogue, guides, booking) decide what to say in plain functions that
return a :class:`Reply` (the messages, the slots to set, an optional follow-up action), which
their tests read directly. The Rasa actions only hand it to
:func:`actions.common.dispatch.send`; a failure is told by :func:`actions.common.dispatch.apologise`.
Kept free of rasa_sdk (importing it costs a third of a second), so plain modules can use it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping


@dataclass(frozen=True)
class Message:
    """One bot message: a domain response (with its variables) or a plain text, and buttons."""

    response: str | None = None
    variables: Mapping[str, Any] = field(default_factory=dict)
    text: str | None = None
    buttons: tuple[Mapping[str, str], ...] = ()


@dataclass(frozen=True)
class Reply:
    """What to say, which slots to set afterwards, and the action to run next (if any)."""

    messages: tuple[Message, ...] = ()
    slots: Mapping[str, Any] = field(default_factory=dict)
    followup: str | None = None

    @property
    def responses(self) -> list[tuple[str | None, dict[str, Any]]]:
        """The (response, variables) pairs in order: what tests and callers usually look at."""
        return [(m.response, dict(m.variables)) for m in self.messages]

    def then(self, other: "Reply") -> "Reply":
        """This reply followed by ``other`` (its slots win, its follow-up if it has one)."""
        return Reply(self.messages + other.messages, {**self.slots, **other.slots}, other.followup or self.followup)


def say(response: str, /, **variables: Any) -> Message:
    """A domain response with its variables (the common case)."""
    return Message(response=response, variables=variables)


def reply(*messages: Message, slots: Mapping[str, Any] | None = None, followup: str | None = None) -> Reply:
    """A :class:`Reply` written as the conversation reads: the messages, then the slots."""
    return Reply(tuple(messages), dict(slots or {}), followup)


def cleared(names: Iterable[str]) -> dict[str, None]:
    """Slot updates emptying ``names`` (what a finished form leaves behind)."""
    return {name: None for name in names}

"""Find which guide a resident's words point to, and when to ask which one.

Residents rarely name the right ("la CAF m'a coupé", "j'ai plus rien pour
manger"). Each guide lists keywords; a message scores by the keywords it
contains (longer phrases weigh more). One clear winner starts the guide; two
close scores lead to one clarifying question with a button per guide.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from actions.common.text import fold
from actions.guides.library import Guide
from actions.guides.stepper import _spaced

# Second score within this ratio of the first: the guides compete, ask which one.
COMPETE_RATIO = 0.75
MAX_CHOICES = 3


@dataclass(frozen=True)
class Resolution:
    """Outcome of matching: one guide, a few to choose from, or none."""

    guides: tuple[Guide, ...]

    @property
    def kind(self) -> str:
        if not self.guides:
            return "none"
        return "one" if len(self.guides) == 1 else "choose"


def score(text: str, guide: Guide) -> float:
    """How strongly a message points to a guide (0 when no keyword appears)."""
    spaced = _spaced(fold(text))
    total = 0.0
    for keyword in guide.keywords:
        if _spaced(keyword) in spaced:
            total += len(keyword.split()) + 0.5
    return total


def rank(text: str, library: Mapping[str, Guide]) -> list[tuple[Guide, float]]:
    """Guides with a positive score, best first (ties keep library order)."""
    scored = [(g, score(text, g)) for g in library.values()]
    return sorted((s for s in scored if s[1] > 0), key=lambda s: -s[1])


def resolve(text: str, library: Mapping[str, Guide], entity: str | None = None) -> Resolution:
    """Pick the guide for a message; an entity value naming a guide id wins outright."""
    if entity:
        folded = fold(entity)
        if folded in library:
            return Resolution((library[folded],))
        ranked = rank(entity, library)
        if ranked:
            text = f"{entity} {text}"
    ranked = rank(text, library)
    if not ranked:
        return Resolution(())
    best = ranked[0][1]
    close = [g for g, s in ranked if s >= best * COMPETE_RATIO][:MAX_CHOICES]
    return Resolution(tuple(close))

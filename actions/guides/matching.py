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


# A keyword word also matches the same word with a short ending: "handicap" in
# "handicapee", "musee" in "musees". Shorter words must match exactly.
MIN_PREFIX = 4
TITLE_BONUS = 1.0
MAX_ENDING = 2


def _tokens(text: str) -> list[str]:
    return _spaced(fold(text)).split()


def _same_word(word: str, keyword_word: str) -> bool:
    if word == keyword_word:
        return True
    return (
        len(keyword_word) >= MIN_PREFIX
        and word.startswith(keyword_word)
        and len(word) - len(keyword_word) <= MAX_ENDING
    )


def find(tokens: list[str], keyword: list[str]) -> tuple[int, int] | None:
    """Span of the first place the keyword's words appear in a row, if any."""
    size = len(keyword)
    for i in range(len(tokens) - size + 1):
        if all(_same_word(tokens[i + j], keyword[j]) for j in range(size)):
            return (i, i + size)
    return None


def score(text: str, guide: Guide) -> float:
    """How strongly a message points to a guide (0 when no keyword appears).

    Each keyword found adds its length in words plus a half, so "loyer impaye"
    outweighs "loyer" and separate clues add up; a keyword found inside a longer
    one of the same guide ("loyer" in "payer mon loyer") is not counted twice.
    """
    tokens = _tokens(text)
    title = f" {' '.join(_tokens(guide.title + ' ' + guide.label))} "
    spans: dict[tuple[int, int], float] = {}
    for keyword in guide.keywords:
        words = _tokens(keyword)
        span = find(tokens, words) if words else None
        if span:
            # The guide's own name ("mutuelle communale") is the strongest clue.
            named = len(words) > 1 and f" {' '.join(words)} " in title
            bonus = TITLE_BONUS if named else 0.0
            spans[span] = max(spans.get(span, 0.0), len(words) + 0.5 + bonus)
    kept = [
        weight for span, weight in spans.items()
        if not any(o != span and o[0] <= span[0] and span[1] <= o[1] for o in spans)
    ]
    return sum(kept)


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

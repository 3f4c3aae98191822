"""Understand a resident's free French: which need, for whom, where, when, free or not.

Rule-based on a reviewed lexicon (``data/catalogue/lexique.yml``) so that results are explainable
and testable; small typos are tolerated by snapping long words to the lexicon's vocabulary.
"""
from __future__ import annotations

import difflib
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import lru_cache

import yaml

from actions.catalogue.hours import WEEKDAYS_FR, weekday_from_text
from actions.catalogue.referentiels import catalogue_dir, get_referentiels
from actions.common.text import fold

_WORD = re.compile(r"[a-z0-9]+")
STOPWORDS = frozenset(
    "a au aux avec ce ces cette dans de des du elle en est et il je j jai la le les leur lui ma mais "
    "me mes moi mon ne nous on ou par pas plus pour qu que qui sa se ses si son sur ta te tes toi ton "
    "tu un une vos votre vous y c est ca quoi comment ou quel quelle besoin aide aider cherche "
    "chercher trouver veux voudrais faut peux peut svp stp merci bonjour slt salut bjr help il y "
    "avoir etre fait faire suis ai as a ont sont chez pres vers quelque chose truc".split()
)


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text).replace("'", " "))


@dataclass(frozen=True)
class Need:
    """What we understood of one request (all parts optional)."""

    thematiques: tuple[str, ...] = ()
    public: str | None = None
    quartier: str | None = None
    open_now: bool = False
    weekday: int | None = None
    free_only: bool = False
    keywords: tuple[str, ...] = ()
    at: datetime | None = field(default=None, compare=False)

    @property
    def understood(self) -> bool:
        return bool(self.thematiques or self.keywords)

    def with_(self, **changes: object) -> "Need":
        return replace(self, **changes)


@dataclass(frozen=True)
class Lexicon:
    needs: tuple[tuple[str, tuple[str, ...]], ...]  # (expression, thematiques)
    publics: tuple[tuple[str, str], ...]  # (expression, public)
    open_now: tuple[str, ...]
    free: tuple[str, ...]
    vocabulary: frozenset[str]


def _phrase(expr: str) -> str:
    return " " + " ".join(words(expr)) + " "


@lru_cache(maxsize=1)
def get_lexicon() -> Lexicon:
    data = yaml.safe_load((catalogue_dir() / "lexique.yml").read_text(encoding="utf-8"))
    needs = [
        (_phrase(expr), tuple(entry["thematiques"]))
        for entry in data["besoins"]
        for expr in entry["expressions"]
    ]
    publics = [(_phrase(expr), public) for public, exprs in data["publics"].items() for expr in exprs]
    needs.sort(key=lambda item: -len(item[0]))
    publics.sort(key=lambda item: -len(item[0]))
    vocabulary = {w for expr, _ in needs + publics for w in expr.split()}
    vocabulary |= {w for q in get_referentiels().quartiers for s in q.synonymes for w in words(s)}
    return Lexicon(
        needs=tuple(needs),
        publics=tuple(publics),
        open_now=tuple(_phrase(e) for e in data["ouvert_maintenant"]),
        free=tuple(_phrase(e) for e in data["gratuit"]),
        vocabulary=frozenset(w for w in vocabulary if len(w) >= 4),
    )


SNAP_CUTOFF = 0.82


@lru_cache(maxsize=1)
def _spellings() -> tuple[tuple[str, int, Counter[str]], ...]:
    """Each vocabulary word with its length and letter counts, computed once."""
    return tuple((w, len(w), Counter(w)) for w in sorted(get_lexicon().vocabulary))


def _near(word: str) -> list[str]:
    """Vocabulary words that can pass difflib's cheap bounds for ``word``, from counts made once.

    difflib rejects a word when the lengths alone, or the letters in common whatever their
    order, already put the ratio under the cutoff. Applying those same two bounds here, with
    the same arithmetic, hands difflib the same winners at a third of the cost of a typo.
    """
    counts, size = Counter(word), len(word)
    near = []
    for other, other_size, other_counts in _spellings():
        total = size + other_size
        if 2.0 * min(size, other_size) / total < SNAP_CUTOFF:
            continue
        common = sum(min(n, other_counts.get(letter, 0)) for letter, n in counts.items())
        if 2.0 * common / total >= SNAP_CUTOFF:
            near.append(other)
    return near


@lru_cache(maxsize=4096)
def _snap(word: str) -> str:
    """Fix a typo in a long word when the lexicon knows a very close word ("medcin" → "medecin")."""
    lexicon = get_lexicon()
    if len(word) < 5 or word in lexicon.vocabulary:
        return word
    close = difflib.get_close_matches(word, _near(word), n=1, cutoff=SNAP_CUTOFF)
    return close[0] if close else word


def normalise(text: str) -> str:
    """Folded, typo-snapped text wrapped in spaces for whole-phrase matching."""
    return " " + " ".join(_snap(w) for w in words(text)) + " "


def _consume(text: str, table: tuple[tuple[str, object], ...]) -> tuple[list[object], str]:
    """Match longest expressions first and blank them out so shorter ones do not double count."""
    found: list[object] = []
    for expr, value in table:
        if expr in text:
            found.append(value)
            text = text.replace(expr, " | ")
    return found, text


@lru_cache(maxsize=1)
def _not_keywords() -> frozenset[str]:
    """Words that say where or when, not what: they must not be searched in service texts."""
    place_words = {
        w for q in get_referentiels().quartiers for s in (*q.synonymes, q.id) for w in words(s)
    }
    return frozenset(place_words | set(WEEKDAYS_FR) | {"ouvert", "ouverte", "ferme", "fermee"})


def understand(text: str) -> Need:
    """Read a free-French request into a :class:`Need`."""
    lexicon = get_lexicon()
    norm = normalise(text)
    found_needs, rest = _consume(norm, lexicon.needs)  # type: ignore[arg-type]
    thematiques: list[str] = []
    for group in found_needs:
        thematiques += [t for t in group if t not in thematiques]  # type: ignore[union-attr]
    publics, _ = _consume(norm, lexicon.publics)  # type: ignore[arg-type]
    # Keywords: every meaningful word (need words included, they also match service names).
    _, rest = _consume(norm, tuple((e, None) for e in lexicon.open_now + lexicon.free))
    keywords = tuple(
        dict.fromkeys(
            w for w in rest.split()
            if w != "|" and len(w) >= 4 and w not in STOPWORDS and w not in _not_keywords()
        )
    )
    return Need(
        thematiques=tuple(thematiques),
        public=str(publics[0]) if publics else None,
        quartier=get_referentiels().quartier_from_text(text),
        open_now=any(e in norm for e in lexicon.open_now),
        weekday=weekday_from_text(text),
        free_only=any(e in norm for e in lexicon.free),
        keywords=keywords,
    )

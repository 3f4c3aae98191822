"""Understand a resident's free French: which need, for whom, where, when, free or not.

Rule-based on a reviewed lexicon (``data/catalogue/lexique.yml``) so that results are explainable
and testable. Residents type fast: SMS spellings are expanded ("chui" → "je suis", "g" → "j ai"),
an elision typed without its apostrophe is split ("jdors" → "dors"), and small typos are
tolerated by snapping long words to the lexicon's vocabulary, except real words the lexicon
lists as known ("garder" is not a typo of "garer"). When several publics are named, the
lexicon's order decides; ages ("72 ans") are read as numbers.
"""
from __future__ import annotations

import difflib
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import lru_cache
from typing import Any, TypeVar

import numpy as np
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

    def with_(self, **changes: Any) -> "Need":
        return replace(self, **changes)


@dataclass(frozen=True)
class Lexicon:
    needs: tuple[tuple[str, tuple[str, ...]], ...]  # (expression, thematiques)
    publics: tuple[tuple[str, str], ...]  # (expression, public)
    open_now: tuple[str, ...]
    free: tuple[str, ...]
    vocabulary: frozenset[str]
    sms: dict[str, tuple[str, ...]] = field(default_factory=dict)  # typed word → words it stands for
    known: frozenset[str] = frozenset()  # real words outside the expressions (shields, in vocabulary)
    public_order: tuple[str, ...] = ()  # first named public wins


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
    # Real words that are not typos of a lexicon word ("garder" is not "garer"): in the
    # vocabulary, they are never snapped, and a typo may still be fixed into them.
    # Stopwords are real words too ("votre" is not "voiture").
    known = {w for e in data.get("mots_connus") or [] for w in words(e)}
    known |= {w for e in data.get("mots_connus_frequents") or [] for w in words(e)}
    known |= {w for w in STOPWORDS if len(w) >= 5}
    known -= vocabulary  # a word of an expression is no mere shield
    vocabulary |= known
    return Lexicon(
        needs=tuple(needs),
        publics=tuple(publics),
        open_now=tuple(_phrase(e) for e in data["ouvert_maintenant"]),
        free=tuple(_phrase(e) for e in data["gratuit"]),
        vocabulary=frozenset(w for w in vocabulary if len(w) >= 4),
        sms={fold(str(k)): tuple(words(str(v))) for k, v in (data.get("sms") or {}).items()},
        known=frozenset(known),
        public_order=tuple(data["publics"]),
    )


SNAP_CUTOFF = 0.82


_LETTERS = "abcdefghijklmnopqrstuvwxyz0123456789"  # every character words() keeps
_COLUMN = {letter: i for i, letter in enumerate(_LETTERS)}


@lru_cache(maxsize=1)
def _spellings() -> tuple[tuple[str, ...], np.ndarray, np.ndarray]:
    """The vocabulary's words, their lengths and their letter counts (one row each), made once."""
    vocabulary = tuple(sorted(get_lexicon().vocabulary))
    counts = np.zeros((len(vocabulary), len(_LETTERS)), dtype=np.int64)
    for row, w in enumerate(vocabulary):
        for letter, n in Counter(w).items():
            counts[row, _COLUMN[letter]] = n
    return vocabulary, np.array([len(w) for w in vocabulary], dtype=np.int64), counts


def _near(word: str) -> list[str]:
    """Vocabulary words that can pass difflib's cheap bounds for ``word``, from counts made once.

    difflib rejects a word when the lengths alone, or the letters in common whatever their
    order, already put the ratio under the cutoff. Applying those same two bounds here, with
    the same float arithmetic on all the vocabulary at once, hands difflib the same winners
    for a fraction of the cost of a typo (the vocabulary holds ~2 000 words with known ones).
    """
    vocabulary, sizes, counts = _spellings()
    size = len(word)
    wanted = np.zeros(len(_LETTERS), dtype=np.int64)
    for letter, n in Counter(word).items():
        wanted[_COLUMN[letter]] = n
    totals = (sizes + size).astype(np.float64)
    close = 2.0 * np.minimum(sizes, size) / totals >= SNAP_CUTOFF
    common = np.minimum(counts[close], wanted).sum(axis=1)
    passing = 2.0 * common / totals[close] >= SNAP_CUTOFF
    rows = np.flatnonzero(close)[passing]
    return [vocabulary[i] for i in rows]


@lru_cache(maxsize=4096)
def _snap(word: str) -> str:
    """Fix a typo in a long word when the lexicon knows a very close word ("medcin" → "medecin")."""
    lexicon = get_lexicon()
    if len(word) < 5 or word in lexicon.vocabulary:
        return word
    close = difflib.get_close_matches(word, _near(word), n=1, cutoff=SNAP_CUTOFF)
    return close[0] if close else word


ELIDED = frozenset("jlmtdsn")  # j', l', m', t', d', s', n' typed without the apostrophe


def _unglue(word: str) -> str:
    """ "jdors" → "dors", "lhopital" → "hopital": only when the rest is a lexicon word."""
    lexicon = get_lexicon()
    if (
        len(word) >= 5 and word[0] in ELIDED and word not in lexicon.vocabulary
        and word not in STOPWORDS and word[1:] in lexicon.vocabulary
    ):
        return word[1:]
    return word


def typed_words(text: str) -> list[str]:
    """The folded words of ``text`` with SMS spellings expanded ("g plu" → "j ai plus")."""
    sms = get_lexicon().sms
    out: list[str] = []
    for w in words(text):
        out.extend(sms.get(w, (w,)))
    return out


def _fix(word: str) -> str:
    """The word to match: its typo fixed only when that reaches a word of the expressions.

    Known real words are in the vocabulary so that they are never "fixed" themselves; a word
    that would snap onto one of them is kept as typed ("emprunter" stays, it is no "emporter"),
    so it can still match the services' texts by its first letters.
    """
    unglued = _unglue(word)
    fixed = _snap(unglued)
    return unglued if fixed in get_lexicon().known else fixed


def normalise(text: str) -> str:
    """Folded, SMS-expanded, typo-fixed text wrapped in spaces for whole-phrase matching."""
    return " " + " ".join(_fix(w) for w in typed_words(text)) + " "


_NOT_AN_AGE = frozenset({"depuis", "pendant", "durant", "fait", "dans", "ya"})


def _age_public(norm: str) -> str | None:
    """ "ma mere a 90 ans" → seniors, "ma fille de 16 ans" → jeunes; "depuis 2 ans" is no age."""
    tokens = norm.split()
    for i, token in enumerate(tokens[:-1]):
        if not (token.isdigit() and tokens[i + 1] in ("ans", "an") and len(token) <= 3):
            continue
        before = tokens[i - 1] if i >= 1 else ""
        if before in _NOT_AN_AGE or (before == "a" and i >= 2 and tokens[i - 2] == "y"):
            continue
        years = int(token)
        if years >= 60:
            return "seniors"
        if 12 <= years <= 25:
            return "jeunes"
    return None


Value = TypeVar("Value")


def _consume(text: str, table: tuple[tuple[str, Value], ...]) -> tuple[list[Value], str]:
    """Match longest expressions first and blank them out so shorter ones do not double count."""
    found: list[Value] = []
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
    found_needs, rest = _consume(norm, lexicon.needs)
    thematiques: list[str] = []
    for group in found_needs:
        thematiques += [t for t in group if t not in thematiques]
    publics, _ = _consume(norm, lexicon.publics)
    age = _age_public(norm)
    if age:
        publics.append(age)
    # A situation says more than a family tie: the lexicon's order of publics decides.
    order = {public: rank for rank, public in enumerate(lexicon.public_order)}
    publics.sort(key=lambda public: order.get(str(public), len(order)))
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

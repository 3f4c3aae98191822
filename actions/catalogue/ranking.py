"""Order candidate services for one need: the scoring rules a conseiller can read and discuss.

- a precise thematique counts more than a broad category;
- words of the request found in the service's name count more than words found elsewhere;
- the public asked for ("ma mère", "handicap") lifts services made for it and lowers services
  made only for someone else;
- a neighbourhood keeps city-wide services and that neighbourhood's places, drops the others;
- "open now / on Saturday" drops places known to be closed; unknown hours are kept, lower;
- "free" drops paying services; unknown cost is kept;
- announced or possibly-ended services come after running ones.

:func:`score` states the rules for one service; :func:`rank` applies the very same rules to
whole posting sets of the index at once, which is what makes a 2 000-service search fast.
``tests/catalogue/test_ranking.py`` checks that both always agree.
"""
from __future__ import annotations

import heapq
from datetime import date, datetime
from functools import lru_cache
from typing import NamedTuple

from actions.catalogue.hours import DayHours, day_hours, is_open_at, next_weekday
from actions.catalogue.index import EMPTY, PREFIX_MAX, PREFIX_MIN, Candidate, CatalogueIndex
from actions.catalogue.needs import Need
from actions.catalogue.referentiels import categorie

W_THEMATIQUE = 3.0
W_CATEGORIE = 1.5
W_EXTRA_THEMATIQUE = 0.25
W_WORD_NAME = 2.0
W_WORD_TEXT = 1.0
W_PUBLIC = 2.5
W_OTHER_PUBLIC = -1.5
W_QUARTIER = 2.5
W_OPEN = 1.0
W_UNKNOWN_HOURS = -0.5
W_FREE = 1.0
W_UNCERTAIN = -0.75
MAX_KEYWORDS = 8  # words used to pick candidates (all words still count in the score)


class Scored(NamedTuple):
    candidate: Candidate
    score: float
    open_state: bool | None


@lru_cache(maxsize=8192)
def _open_cached(hours: str, at: datetime) -> bool | None:
    return is_open_at(hours, at)


@lru_cache(maxsize=8192)
def _day_cached(hours: str | None, day: date) -> DayHours:
    return day_hours(hours, day)


@lru_cache(maxsize=1024)
def _wanted(thematiques: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    return tuple((t, categorie(t)) for t in thematiques)


def _stem(word: str) -> str:
    return word[:PREFIX_MAX] if len(word) > PREFIX_MAX else word


def day_for(candidate: Candidate, day: date) -> DayHours:
    if candidate.closures:
        return day_hours(candidate.hours, day, candidate.closures)
    return _day_cached(candidate.hours, day)


def open_state(candidate: Candidate, need: Need, when: datetime) -> bool | None:
    """Open at ``when`` (or on the asked weekday); None when unknown."""
    if need.weekday is not None:
        day = day_for(candidate, next_weekday(need.weekday, when.date()))
        return day.is_open_that_day if day.known else None
    if candidate.closures:
        return is_open_at(candidate.hours, when, candidate.closures)
    return _open_cached(candidate.hours, when.replace(second=0, microsecond=0)) if candidate.hours else None


def _thematique_points(matches: list[float]) -> float:
    # The best match counts fully, further ones a little: a service tagged with many
    # thematiques must not outrank the one made for this exact need.
    return (max(matches) + W_EXTRA_THEMATIQUE * (sum(matches) - max(matches))) if matches else 0.0


def score(candidate: Candidate, need: Need, when: datetime) -> Scored | None:
    """The candidate's score for ``need`` at ``when``, or None when a hard filter excludes it."""
    if need.quartier and candidate.quartiers and need.quartier not in candidate.quartiers:
        return None
    if need.free_only and candidate.frais == "payant":
        return None
    wants_time = need.open_now or need.weekday is not None
    state = open_state(candidate, need, when) if wants_time else None
    if wants_time and state is False:
        return None

    matches = []
    for wanted, wanted_cat in _wanted(need.thematiques):
        if wanted in candidate.thematiques:
            matches.append(W_THEMATIQUE)
        elif wanted_cat in candidate.categories:
            matches.append(W_CATEGORIE)
    total = _thematique_points(matches)
    for word in need.keywords:
        stem = _stem(word)
        if f" {stem}" in candidate.name_words:
            total += W_WORD_NAME
        elif f" {stem}" in candidate.texte:
            total += W_WORD_TEXT
    if need.public:
        if need.public in candidate.publics:
            total += W_PUBLIC
        elif candidate.publics:
            total += W_OTHER_PUBLIC
    if need.quartier and need.quartier in candidate.quartiers:
        total += W_QUARTIER
    if wants_time:
        total += W_OPEN if state else W_UNKNOWN_HOURS
    if need.free_only and candidate.frais == "gratuit":
        total += W_FREE
    if candidate.statut in ("projet", "a-verifier"):
        total += W_UNCERTAIN
    return Scored(candidate, total, state)


def matching(index: CatalogueIndex, need: Need) -> set[int]:
    """Positions worth scoring: the need's categories, its words, else services for its public."""
    chosen: set[int] = set()
    for cat in {categorie(t) for t in need.thematiques}:
        chosen |= index.by_category.get(cat, EMPTY)
    for word in need.keywords[:MAX_KEYWORDS]:
        chosen |= index.by_prefix.get(word[:PREFIX_MAX], EMPTY)
    if not chosen and need.public:
        chosen |= index.by_public.get(need.public, EMPTY)
    return chosen


def _word_sets(index: CatalogueIndex, word: str, alive: set[int]) -> tuple[set[int], set[int]]:
    """Positions whose name, else whose text, has a word starting like ``word``."""
    stem = _stem(word)
    if len(stem) >= PREFIX_MIN and not any(ch.isspace() for ch in stem):
        in_name = alive & index.by_name_prefix.get(stem, EMPTY)
        return in_name, (alive & index.by_prefix.get(stem, EMPTY)) - in_name
    # Not a word the prefix tables can hold: compare texts one by one, as score() does.
    key = f" {stem}"
    cands = index.candidates
    in_name = {i for i in alive if key in cands[i].name_words}
    return in_name, {i for i in alive - in_name if key in cands[i].texte}


def _time_states(index: CatalogueIndex, need: Need, when: datetime, alive: set[int]) -> dict[int, bool | None]:
    """Open state of every alive position, evaluated once per distinct opening hours."""
    states: dict[int, bool | None] = {}
    for group in index.by_hours.values():
        members = alive & group
        if members:
            state = open_state(index.candidates[next(iter(members))], need, when)
            states.update(dict.fromkeys(members, state))
    for i in alive & index.with_closures:
        states[i] = open_state(index.candidates[i], need, when)
    return states


def _add(scores: dict[int, float], positions: set[int] | frozenset[int], points: float) -> None:
    for i in positions:
        scores[i] += points


def scores(index: CatalogueIndex, need: Need, when: datetime) -> tuple[dict[int, float], dict[int, bool | None]]:
    """The rules of :func:`score`, applied set by set: position → score, position → open state."""
    alive = matching(index, need)
    if need.quartier:
        alive -= index.localised - index.by_quartier.get(need.quartier, EMPTY)
    if need.free_only:
        alive -= index.by_frais.get("payant", EMPTY)
    wants_time = need.open_now or need.weekday is not None
    states: dict[int, bool | None] = {}
    if wants_time:
        states = _time_states(index, need, when, alive)
        alive = {i for i in alive if states[i] is not False}

    total = dict.fromkeys(alive, 0.0)
    matched: dict[int, tuple[float, float]] = {}  # position → (sum of matches, best match)
    for wanted, wanted_cat in _wanted(need.thematiques):
        exact = alive & index.by_thematique.get(wanted, EMPTY)
        broad = (alive & index.by_category.get(wanted_cat, EMPTY)) - exact
        for points, positions in ((W_THEMATIQUE, exact), (W_CATEGORIE, broad)):
            for i in positions:
                found, best = matched.get(i, (0.0, points))
                matched[i] = (found + points, best if best > points else points)
    for i, (found, best) in matched.items():
        total[i] += best + W_EXTRA_THEMATIQUE * (found - best)  # as _thematique_points
    for word in need.keywords:
        in_name, in_text = _word_sets(index, word, alive)
        _add(total, in_name, W_WORD_NAME)
        _add(total, in_text, W_WORD_TEXT)
    if need.public:
        made_for = alive & index.by_public.get(need.public, EMPTY)
        _add(total, made_for, W_PUBLIC)
        _add(total, (alive & index.with_public) - made_for, W_OTHER_PUBLIC)
    if need.quartier:
        _add(total, alive & index.by_quartier.get(need.quartier, EMPTY), W_QUARTIER)
    if wants_time:
        for i in alive:
            total[i] += W_OPEN if states[i] else W_UNKNOWN_HOURS
    if need.free_only:
        _add(total, alive & index.by_frais.get("gratuit", EMPTY), W_FREE)
    _add(total, alive & index.uncertain, W_UNCERTAIN)
    return total, states


def rank(
    index: CatalogueIndex, need: Need, when: datetime, limit: int, offset: int = 0
) -> tuple[list[Scored], int]:
    """The page ``[offset, offset + limit)`` of the ranking, and how many services rank at all.

    Best first; ties broken by name, then by (source, id) so answers are stable between runs.
    """
    points, states = scores(index, need, when)
    candidates = index.candidates
    keyed = [(-p, candidates[i].nom, i) for i, p in points.items() if p > 0]
    wanted = offset + limit
    # Only the page is needed: a partial selection beats sorting everything when it is small.
    best = heapq.nsmallest(wanted, keyed) if wanted < len(keyed) // 4 else sorted(keyed)[:wanted]
    page = [Scored(candidates[i], -neg, states.get(i)) for neg, _nom, i in best[offset:]]
    return page, len(keyed)

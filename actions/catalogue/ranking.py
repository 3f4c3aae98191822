"""Order candidate services for one need: the scoring rules a conseiller can read and discuss.

- a precise thematique counts more than a broad category (computed in SQL, see search.py);
  words of the request found in the service's name count more than words found elsewhere;
- the public asked for ("ma mère", "handicap") lifts services made for it and lowers services
  made only for someone else;
- a neighbourhood keeps city-wide services and that neighbourhood's places, drops the others;
- "open now / on Saturday" drops places known to be closed; unknown hours are kept, lower;
- "free" drops paying services; unknown cost is kept;
- announced or possibly-ended services come after running ones.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from actions.catalogue.hours import DayHours, day_hours, is_open_at, next_weekday
from actions.catalogue.needs import Need
from actions.catalogue.referentiels import categorie
from actions.common.text import fold

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


def json_list(raw: Any) -> list[Any]:
    """JSON list columns are read as text for speed; most are empty."""
    if raw is None or raw == "[]":
        return []
    return list(raw) if isinstance(raw, list) else list(json.loads(raw))


@dataclass(frozen=True)
class Candidate:
    """The few columns ranking needs, read without building ORM objects."""

    source: str
    id: str
    nom: str
    frais: str | None
    statut: str
    texte: str
    thematiques: frozenset[str]
    categories: frozenset[str]
    publics: frozenset[str]
    quartiers: tuple[str, ...]
    hours: str | None
    closures: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class Scored:
    candidate: Candidate
    score: float
    open_state: bool | None


@lru_cache(maxsize=4096)
def _name_words(nom: str) -> str:
    return " " + fold(nom).replace("-", " ") + " "


@lru_cache(maxsize=8192)
def _open_cached(hours: str, at: datetime) -> bool | None:
    return is_open_at(hours, at)


@lru_cache(maxsize=8192)
def _day_cached(hours: str | None, day: date) -> DayHours:
    return day_hours(hours, day)


@lru_cache(maxsize=1024)
def _wanted(thematiques: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    return tuple((t, categorie(t)) for t in thematiques)


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
    # The best match counts fully, further ones a little: a service tagged with many
    # thematiques must not outrank the one made for this exact need.
    total = (max(matches) + W_EXTRA_THEMATIQUE * (sum(matches) - max(matches))) if matches else 0.0
    name_words = _name_words(candidate.nom)
    for word in need.keywords:
        stem = word[:6] if len(word) > 6 else word
        if f" {stem}" in name_words:
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


def rank(candidates: list[Candidate], need: Need, when: datetime) -> list[Scored]:
    """Best first; ties broken by name so answers are stable between runs."""
    scored = [s for s in (score(c, need, when) for c in candidates) if s is not None and s.score > 0]
    scored.sort(key=lambda s: (-s.score, s.candidate.nom))
    return scored

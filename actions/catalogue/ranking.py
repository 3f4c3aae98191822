"""Order candidate services for one need: the scoring rules a conseiller can read and discuss.

- a precise thematique counts more than a broad category; words of the request found in the
  service's name count more than words found in its description;
- the public asked for ("ma mère", "handicap") lifts services made for it and lowers services
  made only for someone else;
- a neighbourhood keeps city-wide services and that neighbourhood's places, drops the others;
- "open now / on Saturday" drops places known to be closed; unknown hours are kept, lower;
- "free" drops paying services; unknown cost is kept.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from actions.catalogue.hours import DayHours, day_hours, is_open_at, next_weekday
from actions.catalogue.models import Service
from actions.catalogue.needs import Need
from actions.catalogue.referentiels import categorie
from actions.common.text import fold

W_THEMATIQUE = 3.0
W_CATEGORIE = 1.5
W_WORD_NAME = 2.0
W_WORD_TEXT = 1.0
W_PUBLIC = 2.5
W_OTHER_PUBLIC = -1.5
W_QUARTIER = 2.5
W_OPEN = 1.0
W_UNKNOWN_HOURS = -0.5
W_FREE = 1.0
W_UNCERTAIN = -0.75


@dataclass(frozen=True)
class Ranked:
    service: Service
    score: float
    open_state: bool | None
    day: DayHours


def _hours(service: Service) -> str | None:
    return service.horaires_accueil or (service.structure.horaires_accueil if service.structure else None)


def _closures(service: Service) -> list[dict]:
    structure = service.structure.x_fermetures if service.structure else []
    return list(service.x_fermetures or []) + list(structure or [])


def _quartiers(service: Service) -> list[str]:
    return list(service.x_quartiers or []) or (
        list(service.structure.x_quartiers or []) if service.structure else []
    )


def score(service: Service, need: Need, when: datetime) -> Ranked | None:
    """The service's score for ``need`` at ``when``, or None when a hard filter excludes it."""
    quartiers = _quartiers(service)
    if need.quartier and quartiers and need.quartier not in quartiers:
        return None
    if need.free_only and service.frais == "payant":
        return None
    hours, closures = _hours(service), _closures(service)
    if need.weekday is not None:
        day = day_hours(hours, next_weekday(need.weekday, when.date()), closures)
        open_state: bool | None = day.is_open_that_day if day.known else None
    else:
        day = day_hours(hours, when.date(), closures)
        open_state = is_open_at(hours, when, closures)
    if (need.open_now or need.weekday is not None) and open_state is False:
        return None

    own = set(service.thematiques or [])
    own_cats = {categorie(t) for t in own}
    matches = sorted(
        (W_THEMATIQUE if wanted in own else W_CATEGORIE if categorie(wanted) in own_cats else 0.0
         for wanted in need.thematiques),
        reverse=True,
    )
    # The best match counts fully, further matches only a little: a service tagged with many
    # thematiques must not outrank the one made for this exact need.
    total = (matches[0] + 0.25 * sum(matches[1:])) if matches else 0.0
    searchable = service.x_texte_recherche  # folded name + description + keywords + labels
    name_words = " " + fold(service.nom).replace("-", " ") + " "
    for word in need.keywords:
        stem = word[:6] if len(word) > 6 else word
        if f" {stem}" in name_words:
            total += W_WORD_NAME
        elif f" {stem}" in searchable:
            total += W_WORD_TEXT
    publics = set(service.publics or [])
    if need.public:
        if need.public in publics:
            total += W_PUBLIC
        elif publics:
            total += W_OTHER_PUBLIC
    if need.quartier and need.quartier in quartiers:
        total += W_QUARTIER
    if need.open_now or need.weekday is not None:
        total += W_OPEN if open_state else W_UNKNOWN_HOURS
    if need.free_only and service.frais == "gratuit":
        total += W_FREE
    if service.x_statut in ("projet", "a-verifier"):
        total += W_UNCERTAIN
    return Ranked(service, total, open_state, day)


def rank(candidates: list[Service], need: Need, when: datetime) -> list[Ranked]:
    """Best first; ties broken by name so answers are stable between runs."""
    ranked = [r for r in (score(s, need, when) for s in candidates) if r is not None and r.score > 0]
    ranked.sort(key=lambda r: (-r.score, r.service.nom))
    return ranked

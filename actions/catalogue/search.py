"""Find the services that answer a :class:`Need`.

The catalogue lives in SQL. For speed, each process keeps a light index of it (one small row
per service: codes, folded text, hours) and refreshes it as soon as the catalogue changes:
every search first reads a one-row "version" (counts and last update times), which costs far
less than re-reading the services. Ranking rules are in :mod:`actions.catalogue.ranking`;
full records are loaded from SQL only for the page shown to the resident.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, joinedload

from actions.catalogue.hours import DayHours, next_weekday, now_local
from actions.catalogue.models import Service, Structure
from actions.catalogue.needs import Need
from actions.catalogue.ranking import Candidate, day_for, json_list, rank
from actions.catalogue.referentiels import categorie
from actions.common.db import get_engine, session_scope

MAX_KEYWORDS = 8


@dataclass(frozen=True)
class Ranked:
    """One result shown to the resident: the full record, its score and its hours."""

    service: Service
    score: float
    open_state: bool | None
    day: DayHours


@dataclass(frozen=True)
class SearchResult:
    need: Need
    hits: tuple[Ranked, ...]
    total: int
    offset: int

    @property
    def has_more(self) -> bool:
        return self.offset + len(self.hits) < self.total


@dataclass(frozen=True)
class CatalogueIndex:
    version: tuple[Any, ...]
    candidates: tuple[Candidate, ...]
    by_category: dict[str, tuple[int, ...]]
    by_public: dict[str, tuple[int, ...]]
    by_prefix: dict[str, frozenset[int]]  # 4 to 6 first letters of every word → services


_indexes: dict[str, CatalogueIndex] = {}
_lock = threading.Lock()


def _version(session: Session) -> tuple[Any, ...]:
    """One cheap row that changes whenever a service or structure is added, changed or removed."""
    return tuple(session.execute(select(
        select(func.count()).select_from(Service).scalar_subquery(),
        select(func.max(Service.updated_at)).scalar_subquery(),
        select(func.count()).select_from(Structure).scalar_subquery(),
        select(func.max(Structure.updated_at)).scalar_subquery(),
    )).one())


def _build(session: Session, version: tuple[Any, ...]) -> CatalogueIndex:
    rows = session.execute(
        select(
            Service.source, Service.id, Service.nom, Service.frais, Service.x_statut,
            Service.x_texte_recherche, Service.thematiques, Service.publics,
            Service.horaires_accueil, Structure.horaires_accueil.label("st_hours"),
            Service.x_quartiers, Structure.x_quartiers.label("st_q"),
            Service.x_fermetures, Structure.x_fermetures.label("st_f"),
        )
        .join(Structure, and_(Structure.source == Service.source, Structure.id == Service.structure_id))
        .where(Service.x_statut != "termine")
    )
    candidates = []
    by_category: dict[str, list[int]] = {}
    by_public: dict[str, list[int]] = {}
    by_prefix: dict[str, set[int]] = {}
    for index, (source, sid, nom, frais, statut, texte, themes, publics, s_hours, st_hours,
                s_q, st_q, s_f, st_f) in enumerate(rows):
        thematiques = frozenset(json_list(themes))
        categories = frozenset(categorie(t) for t in thematiques)
        candidate = Candidate(
            source=source, id=sid, nom=nom, frais=frais, statut=statut, texte=texte,
            thematiques=thematiques, categories=categories, publics=frozenset(json_list(publics)),
            quartiers=tuple(json_list(s_q) or json_list(st_q)),
            hours=s_hours or st_hours,
            closures=tuple(json_list(s_f) + json_list(st_f)),
        )
        candidates.append(candidate)
        for cat in categories:
            by_category.setdefault(cat, []).append(index)
        for public in candidate.publics:
            by_public.setdefault(public, []).append(index)
        for word in set(texte.split()):
            for size in range(4, min(len(word), 6) + 1):
                by_prefix.setdefault(word[:size], set()).add(index)
    return CatalogueIndex(
        version,
        tuple(candidates),
        {k: tuple(v) for k, v in by_category.items()},
        {k: tuple(v) for k, v in by_public.items()},
        {k: frozenset(v) for k, v in by_prefix.items()},
    )


def catalogue_index(session: Session, engine: Engine) -> CatalogueIndex:
    """This process's index of the catalogue, rebuilt when the SQL catalogue has changed."""
    key = str(engine.url)
    version = _version(session)
    current = _indexes.get(key)
    if current is not None and current.version == version:
        return current
    with _lock:
        current = _indexes.get(key)
        if current is None or current.version != version:
            current = _indexes[key] = _build(session, version)
    return current


def _candidates(index: CatalogueIndex, need: Need) -> list[Candidate]:
    chosen: set[int] = set()
    for cat in {categorie(t) for t in need.thematiques}:
        chosen.update(index.by_category.get(cat, ()))
    for word in need.keywords[:MAX_KEYWORDS]:
        chosen.update(index.by_prefix.get(word[:6], ()))
    if not chosen and need.public:
        chosen.update(index.by_public.get(need.public, ()))
    return [index.candidates[i] for i in chosen]


def search(
    need: Need,
    engine: Engine | None = None,
    limit: int = 3,
    offset: int = 0,
    at: datetime | None = None,
) -> SearchResult:
    """The best ``limit`` services for ``need`` after ``offset`` (evaluated at ``at``, default now)."""
    when = at or need.at or now_local()
    engine = engine or get_engine()
    with session_scope(engine) as session:
        index = catalogue_index(session, engine)
        ranked = rank(_candidates(index, need), need, when)
        page = ranked[offset:offset + limit]
        keys = [(s.candidate.source, s.candidate.id) for s in page]
        rows: dict[tuple[str, str], Service] = {}
        if keys:
            query = (
                select(Service)
                .where(or_(*[and_(Service.source == a, Service.id == b) for a, b in keys]))
                .options(joinedload(Service.structure))
            )
            rows = {(svc.source, svc.id): svc for svc in session.scalars(query)}
    day = when.date() if need.weekday is None else next_weekday(need.weekday, when.date())
    hits = tuple(
        Ranked(rows[(s.candidate.source, s.candidate.id)], s.score, s.open_state, day_for(s.candidate, day))
        for s in page
        if (s.candidate.source, s.candidate.id) in rows
    )
    return SearchResult(need, hits, len(ranked), offset)

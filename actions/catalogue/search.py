"""Find the services that answer a :class:`Need`: SQL narrows the candidates, ranking orders them.

SQL does the selective part (thematique/category index tables, keyword ``LIKE`` on a folded
search column); :mod:`actions.catalogue.ranking` scores the few candidates in Python, where
opening hours and neighbourhood rules are easy to express and test.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, or_, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import selectinload

from actions.catalogue.hours import now_local
from actions.catalogue.models import Service, ServicePublic, ServiceThematique
from actions.catalogue.needs import Need
from actions.catalogue.ranking import Ranked, rank
from actions.catalogue.referentiels import categorie
from actions.common.db import session_scope

MAX_CANDIDATES = 400


@dataclass(frozen=True)
class SearchResult:
    need: Need
    hits: tuple[Ranked, ...]
    total: int
    offset: int

    @property
    def has_more(self) -> bool:
        return self.offset + len(self.hits) < self.total


def _candidates(session, need: Need) -> list[Service]:  # type: ignore[no-untyped-def]
    conditions = []
    exact = [t for t in need.thematiques if "--" in t]
    cats = sorted({categorie(t) for t in need.thematiques})
    if exact or cats:
        conditions.append(
            exists().where(
                ServiceThematique.source == Service.source,
                ServiceThematique.service_id == Service.id,
                or_(ServiceThematique.thematique.in_(exact), ServiceThematique.categorie.in_(cats)),
            )
        )
    for word in need.keywords[:8]:
        stem = word[:6] if len(word) > 6 else word
        conditions.append(Service.x_texte_recherche.like(f"% {stem}%"))
    if not conditions and need.public:
        conditions.append(
            exists().where(
                ServicePublic.source == Service.source,
                ServicePublic.service_id == Service.id,
                ServicePublic.public == need.public,
            )
        )
    if not conditions:
        return []
    query = (
        select(Service)
        .where(or_(*conditions), Service.x_statut != "termine")
        .options(selectinload(Service.structure))
        .limit(MAX_CANDIDATES)
    )
    return list(session.scalars(query))


def search(
    need: Need,
    engine: Engine | None = None,
    limit: int = 3,
    offset: int = 0,
    at: datetime | None = None,
) -> SearchResult:
    """The best ``limit`` services for ``need`` after ``offset`` (evaluated at ``at``, default now)."""
    when = at or need.at or now_local()
    with session_scope(engine) as session:
        ranked = rank(_candidates(session, need), need, when)
    return SearchResult(need, tuple(ranked[offset:offset + limit]), len(ranked), offset)

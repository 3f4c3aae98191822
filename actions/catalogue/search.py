"""Find the services that answer a :class:`Need`.

The catalogue lives in SQL; each process ranks against an in-memory index of it
(:mod:`actions.catalogue.index`, refreshed as soon as the catalogue changes) with the rules of
:mod:`actions.catalogue.ranking`. One search costs two small queries: the catalogue version, and
the full records of the page shown to the resident (with their structures, in the same query).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from sqlalchemy import and_, bindparam, or_, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, joinedload, sessionmaker
from sqlalchemy.sql import Select

from actions.catalogue.hours import DayHours, next_weekday, now_local
from actions.catalogue.index import catalogue_index
from actions.catalogue.models import Service
from actions.catalogue.needs import Need
from actions.catalogue.ranking import day_for, rank
from actions.common.db import get_engine


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


@lru_cache(maxsize=4)
def _page_query(sources: int) -> Select:
    """Full records and structures of a page drawn from ``sources`` sources, in one query.

    Written ``source = ? AND id IN (…)`` per source: SQLite does not use the primary key for a
    row-value ``(source, id) IN (…)`` and would scan the whole table. Built once per number of
    sources, so SQLAlchemy reuses the compiled SQL (the IN lists expand at execution).
    """
    return (
        select(Service)
        .where(or_(*(
            and_(Service.source == bindparam(f"source{k}"),
                 Service.id.in_(bindparam(f"ids{k}", expanding=True)))
            for k in range(sources)
        )))
        .options(joinedload(Service.structure))
    )


def load_page(session: Session, keys: list[tuple[str, str]]) -> dict[tuple[str, str], Service]:
    """The page's full records with their structures (one round trip)."""
    by_source: dict[str, list[str]] = {}
    for source, sid in keys:
        by_source.setdefault(source, []).append(sid)
    if not by_source:
        return {}
    params: dict[str, object] = {}
    for k, (source, ids) in enumerate(by_source.items()):
        params[f"source{k}"], params[f"ids{k}"] = source, ids
    return {(svc.source, svc.id): svc for svc in session.scalars(_page_query(len(by_source)), params)}


@lru_cache(maxsize=8)
def _sessions(engine: Engine) -> sessionmaker:
    """One session factory per engine: making one per search costs more than the search's SQL."""
    return sessionmaker(bind=engine, future=True, expire_on_commit=False)


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
    with _sessions(engine)() as session:  # read only: closing it rolls the transaction back
        index = catalogue_index(session, engine)
        page, total = rank(index, need, when, limit, offset)
        rows = load_page(session, [(s.candidate.source, s.candidate.id) for s in page])
    day = when.date() if need.weekday is None else next_weekday(need.weekday, when.date())
    hits = tuple(
        Ranked(rows[(s.candidate.source, s.candidate.id)], s.score, s.open_state, day_for(s.candidate, day))
        for s in page
        if (s.candidate.source, s.candidate.id) in rows
    )
    return SearchResult(need, hits, total, offset)

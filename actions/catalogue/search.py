"""Find the services that answer a :class:`Need`.

The catalogue lives in SQL; each process ranks against an in-memory index of it
(:mod:`actions.catalogue.index`) with the rules of :mod:`actions.catalogue.ranking`.

One search is one query: the index ranks first, then the page's full records, their structures
and the catalogue's version come back together. When that version is not the index's (someone
imported or fixed a record), the index is rebuilt and the search done again, so a change is seen
by the very next search. Every round trip counts on a busy 2-core server where PostgreSQL
competes with Rasa for the CPU, so the read also runs without BEGIN/ROLLBACK (autocommit).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import and_, bindparam, or_, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.sql import Select

from actions.catalogue.hours import DayHours, next_weekday, now_local
from actions.catalogue.index import (
    VERSION_COLUMNS,
    CatalogueIndex,
    cached_index,
    catalogue_index,
    catalogue_version,
)
from actions.catalogue.models import Service
from actions.catalogue.needs import Need
from actions.catalogue.ranking import Scored, day_for, rank
from actions.common.db import get_engine, read_session

Key = tuple[str, str]


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


@lru_cache(maxsize=16)
def _page_query(size: int) -> Select:
    """``size`` services by primary key, with their structures and the catalogue's version.

    Built once per page size so SQLAlchemy reuses the compiled SQL. Each key is a full primary
    key equality, which SQLite and PostgreSQL read through the primary key index (SQLite scans
    the table for a row-value ``(source, id) IN (…)``; PostgreSQL needs table statistics,
    refreshed by the importer).
    """
    keys = or_(*(
        and_(Service.source == bindparam(f"source{k}"), Service.id == bindparam(f"id{k}"))
        for k in range(size)
    ))
    return select(Service, *VERSION_COLUMNS).where(keys).options(joinedload(Service.structure))


def load_page(session: Session, keys: list[Key]) -> tuple[dict[Key, Service], tuple[Any, ...] | None]:
    """The page's records (with structures) and the catalogue version, in one round trip.

    The version is None when no record came back (they were all removed meanwhile).
    """
    params: dict[str, str] = {}
    for k, (source, sid) in enumerate(keys):
        params[f"source{k}"], params[f"id{k}"] = source, sid
    rows = session.execute(_page_query(len(keys)), params).all()
    version = tuple(rows[0][1:]) if rows else None
    return {(row[0].source, row[0].id): row[0] for row in rows}, version


def _keys(page: list[Scored]) -> list[Key]:
    return [(s.candidate.source, s.candidate.id) for s in page]


def _ranked_with_current(
    session: Session, index: CatalogueIndex, need: Need, when: datetime, limit: int, offset: int
) -> tuple[list[Scored], int, dict[Key, Service]] | None:
    """Rank with ``index`` and read the page; None when the catalogue changed since ``index``."""
    page, total = rank(index, need, when, limit, offset)
    if page:
        rows, version = load_page(session, _keys(page))
    else:
        rows, version = {}, catalogue_version(session)
    return (page, total, rows) if version == index.version else None


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
    with read_session(engine) as session:
        index = cached_index(engine)
        found = _ranked_with_current(session, index, need, when, limit, offset) if index else None
        if found is None:  # first search, or the catalogue changed: rebuild, search again
            index = catalogue_index(session, engine)
            page, total = rank(index, need, when, limit, offset)
            rows = load_page(session, _keys(page))[0] if page else {}
        else:
            page, total, rows = found
    day = when.date() if need.weekday is None else next_weekday(need.weekday, when.date())
    hits = tuple(
        Ranked(rows[(s.candidate.source, s.candidate.id)], s.score, s.open_state, day_for(s.candidate, day))
        for s in page
        if (s.candidate.source, s.candidate.id) in rows
    )
    return SearchResult(need, hits, total, offset)

"""The per-process index of the SQL catalogue that search ranks against.

Why in memory: ranking needs a few columns of every service that could match; reading them from
SQL on every turn costs far more than the ranking itself. Why posting sets: a request such as
"france services" matches most of a 2 000-service catalogue, and scoring rule by rule over sets
of positions costs a fraction of scoring service by service (see :mod:`actions.catalogue.ranking`).

The index is rebuilt as soon as the catalogue changes: every search first reads a one-row
"version" (counts and last update times, both served by indexes), which costs far less than
re-reading the services.
"""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import Any, Iterable

from sqlalchemy import Text, and_, func, select, type_coerce
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from actions.catalogue.models import Service, Structure
from actions.catalogue.referentiels import categorie
from actions.common.text import fold

PREFIX_MIN, PREFIX_MAX = 4, 6  # request words are compared by their first 4 to 6 letters
EMPTY: frozenset[int] = frozenset()

# The catalogue's version: changes whenever a service or structure is added, changed or removed.
# Columns rather than a query, so that search can also ask for them alongside the page's records.
VERSION_COLUMNS = (
    select(func.count()).select_from(Service).scalar_subquery().label("services"),
    select(func.max(Service.updated_at)).scalar_subquery().label("services_updated"),
    select(func.count()).select_from(Structure).scalar_subquery().label("structures"),
    select(func.max(Structure.updated_at)).scalar_subquery().label("structures_updated"),
)
# Built once: SQLAlchemy then reuses the compiled SQL instead of rebuilding it on every turn.
VERSION_QUERY = select(*VERSION_COLUMNS)


def _raw(column: Any, label: str) -> Any:
    # JSON read as plain text, decoded by json_list only when not empty: SQLAlchemy's
    # JSON decoding of every cell cost more than the SQL itself (PostgreSQL's driver
    # may still hand back lists, which json_list accepts).
    return type_coerce(column, Text).label(label)


ROWS_QUERY = (
    select(
        Service.source, Service.id, Service.nom, Service.frais, Service.x_statut,
        Service.x_texte_recherche, _raw(Service.thematiques, "themes"), _raw(Service.publics, "publics"),
        Service.horaires_accueil, Structure.horaires_accueil.label("st_hours"),
        _raw(Service.x_quartiers, "s_q"), _raw(Structure.x_quartiers, "st_q"),
        _raw(Service.x_fermetures, "s_f"), _raw(Structure.x_fermetures, "st_f"),
    )
    .join(Structure, and_(Structure.source == Service.source, Structure.id == Service.structure_id))
    .where(Service.x_statut != "termine")
    # A fixed order gives every service a stable position, the last tie-breaker of ranking.
    .order_by(Service.source, Service.id)
)


def json_list(raw: Any) -> list[Any]:
    """JSON list columns may come back as text or as lists depending on the driver."""
    if raw is None or raw == "[]":
        return []
    return list(raw) if isinstance(raw, list) else list(json.loads(raw))


def name_words(nom: str) -> str:
    """The folded name wrapped in spaces, hyphens split, so " stem" finds a word start."""
    return " " + fold(nom).replace("-", " ") + " "


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
    name_words: str = ""  # derived from ``nom`` when not given

    def __post_init__(self) -> None:
        if not self.name_words:
            object.__setattr__(self, "name_words", name_words(self.nom))


@dataclass(frozen=True)
class CatalogueIndex:
    """Candidates by position, and for each criterion the set of positions that meet it."""

    version: tuple[Any, ...]
    candidates: tuple[Candidate, ...]
    by_thematique: dict[str, frozenset[int]]
    by_category: dict[str, frozenset[int]]
    by_public: dict[str, frozenset[int]]
    with_public: frozenset[int]  # services made for named publics only
    by_quartier: dict[str, frozenset[int]]
    localised: frozenset[int]  # services limited to some neighbourhoods
    by_frais: dict[str, frozenset[int]]
    uncertain: frozenset[int]  # announced, or possibly ended
    by_prefix: dict[str, frozenset[int]]  # first 4 to 6 letters of any word of the text
    by_name_prefix: dict[str, frozenset[int]]  # same, words of the name only
    by_hours: dict[str | None, frozenset[int]]  # services without closures, by opening hours
    with_closures: frozenset[int]


def prefixes(word: str) -> tuple[str, ...]:
    """The 4-, 5- and 6-letter starts of ``word``: the keys a request word is looked up by."""
    return tuple(word[:size] for size in range(PREFIX_MIN, min(len(word), PREFIX_MAX) + 1))


def _candidate(row: Any) -> Candidate:
    (source, sid, nom, frais, statut, texte, themes, publics, s_hours, st_hours,
     s_q, st_q, s_f, st_f) = row
    thematiques = frozenset(json_list(themes))
    return Candidate(
        source=source, id=sid, nom=nom, frais=frais, statut=statut, texte=texte,
        thematiques=thematiques, categories=frozenset(categorie(t) for t in thematiques),
        publics=frozenset(json_list(publics)),
        quartiers=tuple(json_list(s_q) or json_list(st_q)),
        hours=s_hours or st_hours,
        closures=tuple(json_list(s_f) + json_list(st_f)),
    )


class _Postings:
    """Key → positions tables being filled; frozen once every candidate is in."""

    def __init__(self) -> None:
        self.table: dict[Any, list[int]] = {}

    def add(self, keys: Iterable[Any], position: int) -> None:
        for key in keys:
            members = self.table.get(key)
            if members is None:
                self.table[key] = [position]
            else:
                members.append(position)

    def frozen(self) -> dict[Any, frozenset[int]]:
        return {key: frozenset(members) for key, members in self.table.items()}

    def by_prefix(self) -> dict[str, frozenset[int]]:
        """Word → positions turned into prefix → positions: each distinct word expanded once."""
        out: dict[str, set[int]] = {}
        for word, members in self.table.items():
            for prefix in prefixes(word):
                out.setdefault(prefix, set()).update(members)
        return {key: frozenset(members) for key, members in out.items()}


def build_index(candidates: Iterable[Candidate], version: tuple[Any, ...] = ()) -> CatalogueIndex:
    """Posting sets of ``candidates`` (kept separate from SQL so tests can build one directly)."""
    ordered = tuple(candidates)
    them, cat, public, quartier, frais, words, name_words_, hours = (_Postings() for _ in range(8))
    localised, with_public, uncertain, with_closures = [], [], [], []
    for i, c in enumerate(ordered):
        them.add(c.thematiques, i)
        cat.add(c.categories, i)
        public.add(c.publics, i)
        quartier.add(c.quartiers, i)
        frais.add((c.frais,) if c.frais else (), i)
        words.add(set(c.texte.split()), i)
        name_words_.add(set(c.name_words.split()), i)
        if c.closures:
            with_closures.append(i)
        else:
            hours.add((c.hours,), i)
        if c.quartiers:
            localised.append(i)
        if c.publics:
            with_public.append(i)
        if c.statut in ("projet", "a-verifier"):
            uncertain.append(i)
    return CatalogueIndex(
        version=version,
        candidates=ordered,
        by_thematique=them.frozen(),
        by_category=cat.frozen(),
        by_public=public.frozen(),
        with_public=frozenset(with_public),
        by_quartier=quartier.frozen(),
        localised=frozenset(localised),
        by_frais=frais.frozen(),
        uncertain=frozenset(uncertain),
        by_prefix=words.by_prefix(),
        by_name_prefix=name_words_.by_prefix(),
        by_hours=hours.frozen(),
        with_closures=frozenset(with_closures),
    )


_indexes: dict[str, CatalogueIndex] = {}
_lock = threading.Lock()


def catalogue_version(session: Session) -> tuple[Any, ...]:
    """One cheap row that changes whenever a service or structure is added, changed or removed."""
    return tuple(session.execute(VERSION_QUERY).one())


def cached_index(engine: Engine) -> CatalogueIndex | None:
    """The index this process last built for ``engine``, current or not (no SQL)."""
    return _indexes.get(str(engine.url))


def catalogue_index(session: Session, engine: Engine) -> CatalogueIndex:
    """This process's index of the catalogue, rebuilt when the SQL catalogue has changed."""
    key = str(engine.url)
    version = catalogue_version(session)
    current = _indexes.get(key)
    if current is not None and current.version == version:
        return current
    with _lock:
        current = _indexes.get(key)
        if current is None or current.version != version:
            rows = session.execute(ROWS_QUERY)
            current = _indexes[key] = build_index((_candidate(row) for row in rows), version)
    return current

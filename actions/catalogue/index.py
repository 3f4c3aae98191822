"""The per-process index of the SQL catalogue that search ranks against.

Why in memory: ranking needs a few columns of every service that could match; reading them from
SQL on every turn costs far more than the ranking itself. Why posting sets: a request such as
"france services" matches most of a 2 000-service catalogue, and scoring rule by rule over sets
of positions costs a fraction of scoring service by service (see :mod:`actions.catalogue.ranking`).

The index is rebuilt as soon as the catalogue changes. Every search reads the catalogue's
"version" (row counts, and last update times read from an index) with the page it shows
(:mod:`actions.catalogue.search`), which costs far less than re-reading the services. A rebuild
re-reads every row but only remakes the candidates of rows that changed.
"""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from typing import Any, Iterable

from sqlalchemy import Text, and_, cast, func, select
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
    # JSON read as text (cast in SQL, so every driver hands back strings), decoded by json_list
    # only when not empty: SQLAlchemy's JSON decoding of every cell cost more than the SQL
    # itself, and plain-value rows can key the candidates reused from one index to the next.
    return cast(column, Text).label(label)


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
    # derived: distinct words of the text and of the name, for the prefix tables
    text_tokens: frozenset[str] = field(default=frozenset(), compare=False)
    name_tokens: frozenset[str] = field(default=frozenset(), compare=False)

    def __post_init__(self) -> None:
        if not self.name_words:
            object.__setattr__(self, "name_words", name_words(self.nom))
        object.__setattr__(self, "text_tokens", frozenset(self.texte.split()))
        object.__setattr__(self, "name_tokens", frozenset(self.name_words.split()))


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


def _freeze(table: dict[Any, list[int]]) -> dict[Any, frozenset[int]]:
    return {key: frozenset(positions) for key, positions in table.items()}


def _by_prefix(by_word: dict[str, list[int]]) -> dict[str, frozenset[int]]:
    """Word → positions turned into prefix → positions: each distinct word expanded once."""
    out: dict[str, set[int]] = {}
    for word, positions in by_word.items():
        for prefix in prefixes(word):
            out.setdefault(prefix, set()).update(positions)
    return {key: frozenset(positions) for key, positions in out.items()}


def build_index(candidates: Iterable[Candidate], version: tuple[Any, ...] = ()) -> CatalogueIndex:
    """Posting sets of ``candidates`` (kept separate from SQL so tests can build one directly)."""
    ordered = tuple(candidates)
    them: dict[Any, list[int]] = {}
    cat: dict[Any, list[int]] = {}
    public: dict[Any, list[int]] = {}
    quartier: dict[Any, list[int]] = {}
    frais: dict[Any, list[int]] = {}
    words: dict[Any, list[int]] = {}
    names: dict[Any, list[int]] = {}
    hours: dict[Any, list[int]] = {}
    localised, with_public, uncertain, with_closures = [], [], [], []
    for i, c in enumerate(ordered):
        for table, keys in (
            (them, c.thematiques), (cat, c.categories), (public, c.publics),
            (quartier, c.quartiers), (words, c.text_tokens), (names, c.name_tokens),
        ):
            for key in keys:
                positions = table.get(key)
                if positions is None:
                    table[key] = [i]
                else:
                    positions.append(i)
        if c.frais:
            frais.setdefault(c.frais, []).append(i)
        if c.closures:
            with_closures.append(i)
        else:
            hours.setdefault(c.hours, []).append(i)
        if c.quartiers:
            localised.append(i)
        if c.publics:
            with_public.append(i)
        if c.statut in ("projet", "a-verifier"):
            uncertain.append(i)
    return CatalogueIndex(
        version=version,
        candidates=ordered,
        by_thematique=_freeze(them),
        by_category=_freeze(cat),
        by_public=_freeze(public),
        with_public=frozenset(with_public),
        by_quartier=_freeze(quartier),
        localised=frozenset(localised),
        by_frais=_freeze(frais),
        uncertain=frozenset(uncertain),
        by_prefix=_by_prefix(words),
        by_name_prefix=_by_prefix(names),
        by_hours=_freeze(hours),
        with_closures=frozenset(with_closures),
    )


_indexes: dict[str, CatalogueIndex] = {}
# Row → candidate of the last build: a rebuild after a change re-reads every row but only
# makes candidates for the rows that changed (a candidate depends on its row only).
_candidates_by_row: dict[str, dict[tuple[Any, ...], Candidate]] = {}
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
            previous = _candidates_by_row.get(key, {})
            made: dict[tuple[Any, ...], Candidate] = {}
            for row in session.execute(ROWS_QUERY):
                values = tuple(row)
                made[values] = previous.get(values) or _candidate(values)
            _candidates_by_row[key] = made
            current = _indexes[key] = build_index(made.values(), version)
    return current

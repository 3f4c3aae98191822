"""The guide library: reviewed fiches in data/guides/*.yml, validated on load.

A guide is laid out like a Service-Public.fr fiche (who it is for, conditions,
documents, steps, where to go, cost, sources, date checked) so official fiches
can be imported later. Loading refuses a guide with a missing field, a source
that is not an official site, or a link that is not a catalogue id: a wrong
fact told to a resident in difficulty costs more than a missing guide.

Every fact (each condition, each step, the cost) names the source ids it comes
from and carries its own `verifie_le` date; every source and glossary term has
one too. The files are parsed once (cached), so the checks cost nothing per turn.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import urlparse

import yaml

from actions.common.settings import get_settings
from actions.common.text import fold

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
NEXT_ACTIONS = ("place", "booking", "human")
# Sites whose word is authoritative for a right or a procedure.
OFFICIAL_DOMAINS = (
    "service-public.fr",
    "caf.fr",
    "ameli.fr",
    "francetravail.fr",
    "chambery.fr",
    "gouv.fr",
    "msa.fr",
    "lassuranceretraite.fr",
    "savoie.fr",
    "grandchambery.fr",
    "drogues-info-service.fr",
    "alcool-info-service.fr",
    "tabac-info-service.fr",
    "joueurs-info-service.fr",
    "1000-premiers-jours.fr",
)


class GuideSchemaError(ValueError):
    """A guide or glossary file does not follow the expected structure."""


class UnknownGuideError(KeyError):
    """No guide has this id."""


@dataclass(frozen=True)
class Step:
    """One thing the resident does; `simpler` says it again with fewer, easier words."""

    text: str
    simpler: str = ""


@dataclass(frozen=True)
class Source:
    """An official page the guide's facts come from, and the day it was last read."""

    url: str
    title: str
    id: str = ""
    verified: dt.date | None = None


@dataclass(frozen=True)
class Fact:
    """One sourced statement of a guide (a condition, a step or the cost) and when it was checked."""

    field: str
    text: str
    sources: tuple[str, ...]
    verified: dt.date


@dataclass(frozen=True)
class Guide:
    """One right or procedure, explained step by step."""

    id: str
    title: str
    summary: str
    audience: str
    conditions: tuple[str, ...]
    documents: tuple[str, ...]
    steps: tuple[Step, ...]
    cost: str
    decider: str
    where: tuple[str, ...]
    next_action: str
    sources: tuple[Source, ...]
    checked: dt.date
    keywords: tuple[str, ...]
    short_title: str = ""
    service_public_id: str = ""
    related: tuple[str, ...] = field(default_factory=tuple)
    facts: tuple[Fact, ...] = field(default_factory=tuple)

    @property
    def label(self) -> str:
        """Short name for a button."""
        return self.short_title or self.title


@dataclass(frozen=True)
class Term:
    """A jargon word Sésame explains on demand."""

    id: str
    term: str
    expansion: str
    explanation: str
    synonyms: tuple[str, ...]
    source: str
    guide: str = ""
    verified: dt.date | None = None


def _require(data: dict[str, Any], key: str, kind: type, where: str) -> Any:
    if key not in data or data[key] in (None, "", [], ()):
        raise GuideSchemaError(f"{where}: field '{key}' is missing or empty")
    value = data[key]
    if not isinstance(value, kind):
        raise GuideSchemaError(f"{where}: field '{key}' must be {kind.__name__}, not {type(value).__name__}")
    return value


def _strings(data: dict[str, Any], key: str, where: str, required: bool = True) -> tuple[str, ...]:
    if not required and not data.get(key):
        return ()
    items = _require(data, key, list, where)
    if not all(isinstance(i, str) and i.strip() for i in items):
        raise GuideSchemaError(f"{where}: every item of '{key}' must be a non-empty text")
    return tuple(i.strip() for i in items)


def _official(url: str) -> bool:
    host = urlparse(url).hostname or ""
    return urlparse(url).scheme == "https" and any(
        host == d or host.endswith("." + d) for d in OFFICIAL_DOMAINS
    )


def _date(value: Any, label: str, where: str) -> dt.date:
    """A YAML date or an ISO text, or a schema error naming the field."""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError as exc:
            raise GuideSchemaError(f"{where}: '{label}' must be a date YYYY-MM-DD") from exc
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise GuideSchemaError(f"{where}: '{label}' (date last verified) is missing")
    return value


def _fact(raw: Any, field_name: str, where: str, source_ids: set[str]) -> tuple[str, Fact]:
    """A condition, step or cost: its text plus the source ids and the date it was checked."""
    if not isinstance(raw, dict) or not str(raw.get("text", "") or "").strip():
        raise GuideSchemaError(f"{where}: {field_name} needs a 'text'")
    text = str(raw["text"]).strip()
    refs = raw.get("source")
    refs = (refs,) if isinstance(refs, str) else tuple(refs or ())
    if not refs or not all(isinstance(r, str) and r for r in refs):
        raise GuideSchemaError(f"{where}: {field_name} needs a 'source' (a source id)")
    unknown = [r for r in refs if r not in source_ids]
    if unknown:
        raise GuideSchemaError(f"{where}: {field_name} cites unknown source ids {unknown}")
    verified = _date(raw.get("verifie_le"), f"{field_name} verifie_le", where)
    return text, Fact(field=field_name, text=text, sources=refs, verified=verified)


def parse_guide(data: Any, where: str = "guide") -> Guide:
    """Build a Guide from YAML data, or say precisely what is wrong with it."""
    if not isinstance(data, dict):
        raise GuideSchemaError(f"{where}: a guide must be a mapping")
    guide_id = _require(data, "id", str, where)
    if not SLUG.match(guide_id):
        raise GuideSchemaError(f"{where}: id '{guide_id}' must be a lower-case slug")
    sources = []
    for index, raw in enumerate(_require(data, "sources", list, where), start=1):
        if not isinstance(raw, dict) or not raw.get("url"):
            raise GuideSchemaError(f"{where}: each source needs a 'url'")
        if not _official(str(raw["url"])):
            raise GuideSchemaError(f"{where}: source {raw['url']} is not an official https site")
        source_id = str(raw.get("id", "") or "")
        if not SLUG.match(source_id):
            raise GuideSchemaError(f"{where}: source {index} needs an 'id' (a lower-case slug)")
        sources.append(
            Source(
                url=str(raw["url"]),
                title=str(raw.get("title", "")),
                id=source_id,
                verified=_date(raw.get("verifie_le"), f"source {source_id} verifie_le", where),
            )
        )
    source_ids = {s.id for s in sources}
    if len(source_ids) != len(sources):
        raise GuideSchemaError(f"{where}: source ids must be unique")
    facts: list[Fact] = []
    conditions = []
    for index, raw in enumerate(_require(data, "conditions", list, where), start=1):
        text, fact = _fact(raw, f"condition {index}", where, source_ids)
        conditions.append(text)
        facts.append(fact)
    steps = []
    for index, raw in enumerate(_require(data, "steps", list, where), start=1):
        if not isinstance(raw, dict) or not str(raw.get("text", "")).strip():
            raise GuideSchemaError(f"{where}: step {index} needs a 'text'")
        text, fact = _fact(raw, f"step {index}", where, source_ids)
        steps.append(Step(text=text, simpler=str(raw.get("simpler", "") or "").strip()))
        facts.append(fact)
    raw_cost = data.get("cost")
    if not raw_cost:
        raise GuideSchemaError(f"{where}: field 'cost' is missing or empty")
    cost, fact = _fact(raw_cost, "cost", where, source_ids)
    facts.append(fact)
    checked = _date(data.get("checked"), "checked", where)
    next_action = _require(data, "next_action", str, where)
    if next_action not in NEXT_ACTIONS:
        raise GuideSchemaError(f"{where}: next_action must be one of {NEXT_ACTIONS}")
    where_ids = _strings(data, "where", where)
    return Guide(
        id=guide_id,
        title=_require(data, "title", str, where).strip(),
        short_title=str(data.get("short_title", "") or "").strip(),
        summary=_require(data, "summary", str, where).strip(),
        audience=_require(data, "audience", str, where).strip(),
        conditions=tuple(conditions),
        documents=_strings(data, "documents", where),
        steps=tuple(steps),
        cost=cost,
        decider=_require(data, "decider", str, where).strip(),
        where=where_ids,
        next_action=next_action,
        sources=tuple(sources),
        checked=checked,
        keywords=tuple(fold(k) for k in _strings(data, "keywords", where)),
        service_public_id=str(data.get("service_public_id", "") or ""),
        related=_strings(data, "related", where, required=False),
        facts=tuple(facts),
    )


def guides_dir() -> Path:
    return get_settings().data_dir / "guides"


def load_guide_file(path: Path) -> Guide:
    """Load one guide file; its id must match the file name."""
    guide = parse_guide(yaml.safe_load(path.read_text(encoding="utf-8")), where=path.name)
    if guide.id != path.stem:
        raise GuideSchemaError(f"{path.name}: id '{guide.id}' must match the file name")
    return guide


def guide_files(directory: Path | None = None) -> list[Path]:
    directory = directory or guides_dir()
    return sorted(p for p in directory.glob("*.yml") if p.name != "glossary.yml")


@lru_cache(maxsize=4)
def load_library(directory: Path | None = None) -> dict[str, Guide]:
    """Every guide by id (cached: files change only with a deployment)."""
    guides = [load_guide_file(p) for p in guide_files(directory)]
    library = {g.id: g for g in guides}
    for guide in guides:
        unknown = [r for r in guide.related if r not in library]
        if unknown:
            raise GuideSchemaError(f"{guide.id}.yml: related guides not found: {unknown}")
    return library


def get_guide(guide_id: str, directory: Path | None = None) -> Guide:
    try:
        return load_library(directory)[guide_id]
    except KeyError as exc:
        raise UnknownGuideError(guide_id) from exc


@lru_cache(maxsize=4)
def load_glossary(path: Path | None = None) -> tuple[Term, ...]:
    """The jargon words Sésame explains, from data/guides/glossary.yml."""
    path = path or guides_dir() / "glossary.yml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    terms = []
    for index, item in enumerate(raw.get("terms", []), start=1):
        where = f"{path.name} term {index}"
        if not isinstance(item, dict):
            raise GuideSchemaError(f"{where}: must be a mapping")
        terms.append(
            Term(
                id=_require(item, "id", str, where),
                term=_require(item, "term", str, where),
                expansion=str(item.get("expansion", "") or ""),
                explanation=_require(item, "explanation", str, where),
                synonyms=tuple(fold(s) for s in item.get("synonyms", []) or []),
                source=_require(item, "source", str, where),
                guide=str(item.get("guide", "") or ""),
                verified=_date(item.get("verifie_le"), "verifie_le", where),
            )
        )
    return tuple(terms)


def glossary_acronyms(terms: Iterable[Term] | None = None) -> set[str]:
    """Acronyms the resident can ask about: the linter counts them as explained."""
    terms = load_glossary() if terms is None else terms
    return {t.term for t in terms if t.term.isupper()}


def _collect_ids(node: Any, found: dict[str, str]) -> None:
    if isinstance(node, dict):
        if isinstance(node.get("id"), str):
            name = node.get("nom") or node.get("name") or node.get("title") or node["id"]
            found.setdefault(node["id"], str(name))
        for value in node.values():
            _collect_ids(value, found)
    elif isinstance(node, list):
        for item in node:
            _collect_ids(item, found)


# Top-level lists of data/catalogue/*.yml that hold places a guide can send to.
CATALOGUE_PLACE_KEYS = ("services", "structures", "contacts")


def catalogue_services(directory: Path | None = None) -> Mapping[str, str]:
    """Catalogue place ids and their display names, read from data/catalogue/*.yml once.

    Every guide action asks for them: re-reading the YAML on each call was 98.7 % of the
    action server's time under load. The files are reviewed content that changes with a
    deployment, so one read per process is right.
    """
    return _catalogue_services(directory or get_settings().data_dir / "catalogue")


@lru_cache(maxsize=4)
def _catalogue_services(directory: Path) -> Mapping[str, str]:
    found: dict[str, str] = {}
    for path in sorted(directory.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if isinstance(data, dict):
            for key in CATALOGUE_PLACE_KEYS:
                _collect_ids(data.get(key, []), found)
    return MappingProxyType(found)

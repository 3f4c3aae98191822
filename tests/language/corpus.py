"""Every text a resident reads, gathered from the files at test time.

Sources: the responses of domain.yml (all capabilities), the guides as the
stepper sends them, the glossary, and the catalogue descriptions. Reading the
files at test time means a new response or service is checked the moment it
is written, by whoever writes it.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import yaml

from actions.guides.library import catalogue_services, load_glossary, load_library
from actions.guides.stepper import documents_text, pages

ROOT = Path(__file__).resolve().parents[2]
# Catalogue fields a resident reads (search hints and ids are not prose).
CATALOGUE_PROSE_KEYS = ("description", "presentation_resume", "presentation_detail")


def domain_texts(domain: Path = ROOT / "domain.yml") -> Iterator[tuple[str, str]]:
    """(origin, text) for every response variant of the domain."""
    data = yaml.safe_load(domain.read_text(encoding="utf-8")) or {}
    for name, variants in (data.get("responses") or {}).items():
        for index, variant in enumerate(variants or []):
            if isinstance(variant, dict) and isinstance(variant.get("text"), str):
                channel = variant.get("channel")
                suffix = f"[{index}{', ' + channel if channel else ''}]"
                yield f"domain.yml {name}{suffix}", variant["text"]


def guide_texts() -> Iterator[tuple[str, str]]:
    """(origin, text) for every message the guides send, simpler wordings included."""
    names = catalogue_services()
    for guide in load_library().values():
        for index, text in enumerate(pages(guide, names)):
            yield f"guide {guide.id} page {index}", text
        for index, step in enumerate(guide.steps, start=1):
            if step.simpler:
                yield f"guide {guide.id} step {index} simpler", step.simpler
        yield f"guide {guide.id} documents", documents_text(guide)
    for term in load_glossary():
        yield f"glossary {term.id}", term.explanation


def _prose(node: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        label = node.get("id", "")
        for key, value in node.items():
            if key in CATALOGUE_PROSE_KEYS and isinstance(value, str) and value.strip():
                yield f"{path} {label}.{key}".strip(), value
            else:
                yield from _prose(value, path)
    elif isinstance(node, list):
        for item in node:
            yield from _prose(item, path)


def catalogue_texts(directory: Path = ROOT / "data" / "catalogue") -> Iterator[tuple[str, str]]:
    """(origin, text) for every catalogue description, whatever file holds it."""
    for path in sorted(directory.glob("*.yml")):
        yield from _prose(yaml.safe_load(path.read_text(encoding="utf-8")), f"catalogue/{path.name}")


def handoff_texts() -> Iterator[tuple[str, str]]:
    """(origin, text) for what the handoff actions write in Python (contact ways, promises, refusal)."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from actions.handoff import actions as handoff
    from actions.handoff.promise import promise_at, promise_text

    for mode, text in handoff.CONTACT_TEXT.items():
        yield f"handoff/contact/{mode}", text.format(phone="06 12 34 56 78")
    for mode, text in handoff.CONTACT_TEXT_KNOWN_CHANNEL.items():
        yield f"handoff/contact-known/{mode}", text
    yield "handoff/refused", handoff.refused_text()
    for label, moment in (("open", datetime(2026, 12, 7, 10, tzinfo=ZoneInfo("Europe/Paris"))),
                          ("closed", datetime(2026, 12, 24, 18, tzinfo=ZoneInfo("Europe/Paris")))):
        yield f"handoff/promise/{label}", promise_text(promise_at(moment), moment)


def all_texts() -> list[tuple[str, str]]:
    return [*domain_texts(), *guide_texts(), *catalogue_texts(), *handoff_texts()]

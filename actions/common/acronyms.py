"""Spell an acronym out the first time a message uses it ("le CCAS (centre communal d'action sociale)").

The expansions are the reviewed glossary's (data/guides/glossary.yml, ``term`` → ``expansion``),
read once. Texts assembled from several records (result cards) cannot spell them out in each
record without repeating them; they pass through :func:`spell_out_first` once, as a whole.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Mapping

import yaml

from actions.common.settings import get_settings


@lru_cache(maxsize=1)
def expansions() -> Mapping[str, str]:
    """Upper-case acronyms of the glossary → their lower-case expansion."""
    path = get_settings().data_dir / "guides" / "glossary.yml"
    if not path.exists():
        return {}
    terms = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("terms") or []
    out = {}
    for term in terms:
        word, expansion = str(term.get("term") or ""), str(term.get("expansion") or "")
        if word.isupper() and len(word) >= 2 and expansion:
            out[word] = expansion[0].lower() + expansion[1:]
    return out


def spell_out_first(text: str, known: Mapping[str, str] | None = None) -> str:
    """Add the expansion after the first use of each acronym, unless the text already gives it."""
    known = expansions() if known is None else known
    for acronym, expansion in known.items():
        match = re.search(rf"\b{re.escape(acronym)}\b(?!\s*\()", text)
        if match and expansion.lower() not in text.lower():
            text = f"{text[:match.end()]} ({expansion}){text[match.end():]}"
    return text

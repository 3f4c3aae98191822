"""From a Rasa message (text + entities) to a search, and from a search to what to say.

Kept free of rasa_sdk so it is tested directly; ``actions.py`` only moves data in and out:
:func:`answer` returns an :class:`~actions.common.reply.Reply` that the actions send as it is.
"""
from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache
from typing import Any, Iterable

from sqlalchemy.engine import Engine

from actions.catalogue.cards import render_results
from actions.catalogue.contacts import contact_for, describe_contact
from actions.catalogue.hours import weekday_from_text
from actions.catalogue.needs import Need, understand
from actions.catalogue.referentiels import get_referentiels
from actions.catalogue.index import catalogue_index
from actions.catalogue.search import search
from actions.common.db import get_engine, read_session
from actions.common.text import fold
from actions.common.reply import Message, Reply, reply, say

PAGE_SIZE = 3


def filters_from_entities(entities: Iterable[dict[str, Any]]) -> dict[str, str]:
    """Keep only entity values that are real codes (unmapped raw words are ignored)."""
    refs = get_referentiels()
    categories = set(refs.categorie_labels)
    quartiers = {q.id for q in refs.quartiers}
    out: dict[str, str] = {}
    for entity in entities:
        name, value = entity.get("entity"), str(entity.get("value") or "")
        if name == "thematique" and (value in refs.thematiques or value in categories):
            out["thematique"] = value
        elif name == "public" and value in refs.publics:
            out["public"] = value
        elif name == "quartier":
            q = value if value in quartiers else refs.quartier_from_text(value)
            if q:
                out["quartier"] = q
        elif name == "jour" and weekday_from_text(value) is not None:
            out["jour"] = value
    return out


def build_need(text: str, filters: dict[str, str]) -> Need:
    """Understand the words, then let explicit entity/button values win."""
    need = understand("" if text.startswith("/") else text)
    if "thematique" in filters and filters["thematique"] not in need.thematiques:
        need = need.with_(thematiques=(filters["thematique"], *need.thematiques))
    if "public" in filters:
        need = need.with_(public=filters["public"])
    if "quartier" in filters:
        need = need.with_(quartier=filters["quartier"])
    if "jour" in filters:
        need = need.with_(weekday=weekday_from_text(filters["jour"]))
    return need


def _contact_sentence() -> str:
    return describe_contact(contact_for(None), "Pour trouver de l'aide")


def answer(
    text: str,
    filters: dict[str, str],
    offset: int = 0,
    engine: Engine | None = None,
    at: datetime | None = None,
) -> Reply:
    """Search and decide the responses for one request (``offset`` > 0 for "voir plus")."""
    need = build_need(text, filters)
    if not (need.understood or need.public):
        return reply(say("utter_catalogue_ask_need"), slots={"catalogue_offset": 0.0})
    result = search(need, engine=engine, limit=PAGE_SIZE, offset=offset, at=at)
    slots = {"catalogue_demande": text, "catalogue_filtres": filters, "catalogue_offset": float(offset)}
    if not result.hits:
        name = "utter_catalogue_no_more" if offset else "utter_catalogue_no_result"
        return reply(say(name, contact=_contact_sentence()), slots=slots)
    steps = "utter_catalogue_next_steps_more" if result.has_more else "utter_catalogue_next_steps"
    results = Message(response="utter_catalogue_results", variables=render_results(result))
    return reply(results, say(steps), slots=slots)


def answer_if_understood(text: str, engine: Engine | None = None, at: datetime | None = None) -> Reply | None:
    """The services for a message another part could not place, when the lexicon names a theme or
    the message names a service ("c'est quoi Médiavue ?", "la bibliothèque voyageuse").

    A resident often describes a situation ("je sais pas me servir de l'ordi", "je vois plus
    très bien pour lire") that is neither a guide's topic nor words the NLU model knows; when
    the reviewed lexicon recognises a theme and the catalogue has services for it, showing them
    beats a menu of topics or "je n'ai pas compris". None otherwise: the caller answers as before.
    """
    if not text or text.startswith("/"):
        return None
    need = build_need(text, {})
    if not need.thematiques and not names_a_service(text, engine):
        return None
    found = answer(text, {}, engine=engine, at=at)
    return found if found.messages and found.messages[0].response == "utter_catalogue_results" else None


# Where a service's name stops being its own: "Déclic au Biollay" is named by "déclic",
# "Pension de famille du CCAS" by "pension de famille".
_NAME_END = re.compile(r" (?:du|des|de la|de l'|au|aux|et) ")
# One-word heads too common to name one service ("Plateforme des solidarités", "Aides…").
_GENERIC_HEADS = frozenset({"accompagnement", "aides", "aide", "tarif", "plan", "service", "services", "lieu", "centre",
                            "plateforme", "transport", "musee", "maison", "maisons"})


def short_name(nom: str) -> str | None:
    """The words of a service's name a resident would use for it, or None when too common."""
    base = re.split(r"\s*[:,(]", fold(nom), maxsplit=1)[0]
    head = re.findall(r"[a-z0-9]+", _NAME_END.split(base, maxsplit=1)[0])
    if len(head) >= 2 or (head and len(head[0]) >= 6 and head[0] not in _GENERIC_HEADS):
        return " ".join(head)
    whole = re.findall(r"[a-z0-9]+", base)
    return " ".join(whole) if len(whole) >= 2 else None


@lru_cache(maxsize=4)
def _name_pattern(version: tuple[Any, ...], names: tuple[str, ...]) -> re.Pattern[str] | None:
    wanted = sorted({name for name in (short_name(nom) for nom in names) if name}, key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(name) for name in wanted) + r")\b") if wanted else None


def names_a_service(text: str, engine: Engine | None = None) -> bool:
    """Whether the message names one of the catalogue's services (by the words of its name)."""
    engine = engine or get_engine()
    with read_session(engine) as session:
        index = catalogue_index(session, engine)  # this process's index; one cheap version query
    pattern = _name_pattern(index.version, tuple(candidate.nom for candidate in index.candidates))
    words = " ".join(re.findall(r"[a-z0-9]+", fold(text)))
    return pattern is not None and pattern.search(words) is not None

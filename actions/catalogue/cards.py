"""FALC result cards: what a service is for, where, when, how to reach it, accessibility.

Cards are plain data (strings) handed to domain responses; the response picks the long text
for the web and Telegram and the short one for SMS. Unknown facts are said to be unknown, with
the general contact instead: never a guess.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from actions.catalogue.contacts import contact_for, describe_contact
from actions.catalogue.hours import WEEKDAYS_FR, describe_day

from actions.catalogue.search import Ranked, SearchResult
from actions.common.acronyms import spell_out_first

_SENTENCE = re.compile(r"(?<=[.!?])\s+")


@dataclass(frozen=True)
class Card:
    service_id: str
    long: str
    short: str


def first_sentences(text: str, max_words: int = 22) -> str:
    """The opening sentence, plus the next one when both stay short (it often explains a word)."""
    sentences = _SENTENCE.split(" ".join(text.split()))
    kept = [sentences[0]]
    for sentence in sentences[1:]:
        if len(" ".join(kept + [sentence]).split()) > max_words:
            break
        kept.append(sentence)
    return " ".join(kept)


def _when(hit: Ranked, weekday: int | None) -> str | None:
    label = "Aujourd'hui" if weekday is None else WEEKDAYS_FR[weekday].capitalize()
    if not hit.day.known:
        return None
    return f"{label} : {describe_day(hit.day)}."


def _phone(hit: Ranked) -> str | None:
    structure = hit.service.structure
    return hit.service.telephone or (structure.telephone if structure else None)


def _where(hit: Ranked) -> str | None:
    structure = hit.service.structure
    address = hit.service.adresse or (structure.adresse if structure else None)
    if not address:
        return None
    commune = hit.service.commune or (structure.commune if structure else "") or ""
    return f"Où : {address}{', ' + commune if commune else ''}."


def _access(hit: Ranked) -> str | None:
    structure = hit.service.structure
    if structure and structure.x_accessibilite:
        return f"Accès : {structure.x_accessibilite}"
    if structure and structure.accessibilite_lieu:
        return f"Accès : voir {structure.accessibilite_lieu}"
    return None


def _unknown(where: str | None, when: str | None, phone: str | None) -> list[str]:
    """The facts no source gives, said once for the whole card instead of a line each."""
    return [name for name, known in (("leur adresse", where), ("leurs horaires", when), ("leur numéro", phone))
            if not known]


def _join(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " ni " + names[-1]


def _price(hit: Ranked) -> str | None:
    if hit.service.frais == "gratuit":
        return "Prix : gratuit."
    if hit.service.frais == "payant":
        return f"Prix : payant. {hit.service.frais_precisions or ''}".strip()
    return None


LANGUES = {"fr": "français", "en": "anglais", "ar": "arabe", "es": "espagnol", "it": "italien",
           "pt": "portugais", "tr": "turc", "ru": "russe", "uk": "ukrainien", "de": "allemand"}


def _documents(hit: Ranked) -> str | None:
    documents = hit.service.x_documents or []
    return f"À apporter : {', '.join(documents)}." if documents else None


def _languages(hit: Ranked) -> str | None:
    structure = hit.service.structure
    codes = list(hit.service.x_langues or []) or (list(structure.x_langues or []) if structure else [])
    names = [LANGUES.get(code, code) for code in codes]
    return f"Langues parlées : {', '.join(names)}." if names else None


def _status(hit: Ranked) -> str | None:
    if hit.service.x_statut == "projet":
        return "Attention : ce service n'est pas encore ouvert."
    if hit.service.x_statut == "a-verifier":
        return "Attention : ce service a peut-être changé."
    return None


def make_card(hit: Ranked, number: int, weekday: int | None = None) -> Card:
    service = hit.service
    phone = _phone(hit)
    where, when = _where(hit), _when(hit, weekday)
    unknown = _unknown(where, when, phone)
    missing = None
    if unknown:
        contact = describe_contact(contact_for(service.structure_id), "Pour les demander")
        missing = f"Je ne connais pas encore {_join(unknown)}. {contact}"
    lines = [
        f"{number}. {service.nom}",
        f"À quoi ça sert : {first_sentences(service.description)}",
        where,
        when,
        f"Téléphone : {phone}." if phone else None,
        _access(hit),
        _price(hit),
        _documents(hit),
        _languages(hit),
        _status(hit),
        missing,
    ]
    long = "\n".join(line for line in lines if line)
    short = f"{number}. {service.nom}." + (f" Tél : {phone}." if phone else "") + (f" {when}" if when else "")
    return Card(service.id, long, short)


def render_results(result: SearchResult) -> dict[str, str]:
    """Template variables for the results response: long and short card texts."""
    cards = [
        make_card(hit, result.offset + i + 1, result.need.weekday) for i, hit in enumerate(result.hits)
    ]
    return {
        "cartes": spell_out_first("\n\n".join(c.long for c in cards)),
        "cartes_courtes": "\n".join(c.short for c in cards),
        "nombre": str(result.total),
    }

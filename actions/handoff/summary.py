"""The case summary a conseiller reads first, built only from what the conversation holds.

Nothing is inferred beyond the tracker's own events: the intents Sésame recognised, the
guides it opened, the searches it ran, the booking it made, and the resident's last
messages (shortened). A summary never contains more than the conversation gave.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Iterable

URGENT_INTENTS = {
    "urgent_shelter": "hébergement d'urgence",
    "urgent_violence": "violences",
    "urgent_child": "enfant en danger",
    "urgent_suicide": "idées suicidaires",
    "urgent_medical": "urgence médicale",
}

# data·inclusion thématiques (v1 categories), by what Sésame saw.
GUIDE_THEMES = {
    "addictions": "sante",
    "aide-alimentaire": "equipement-et-alimentation",
    "aide-demarches-en-ligne": "numerique",
    "aides-logement": "logement-hebergement",
    "apa-aide-domicile": "accompagnement-social-et-professionnel-personnalise",
    "aspa": "gestion-financiere",
    "carte-identite-passeport": "acces-aux-droits-et-citoyennete",
    "cheque-energie": "gestion-financiere",
    "complementaire-sante-solidaire": "sante",
    "domiciliation": "acces-aux-droits-et-citoyennete",
    "ehpad-residence-autonomie": "logement-hebergement",
    "france-travail": "trouver-un-emploi",
    "fsl-loyer": "logement-hebergement",
    "handicap": "handicap",
    "medecin-traitant": "sante",
    "mutuelle-communale": "sante",
    "parentalite": "famille",
    "portage-repas": "equipement-et-alimentation",
    "prime-activite": "gestion-financiere",
    "rsa": "acces-aux-droits-et-citoyennete",
    "tarifs-sociaux": "gestion-financiere",
    "transport-demande": "mobilite",
}
INTENT_THEMES = {
    "urgent_shelter": "logement-hebergement",
    "urgent_violence": "accompagnement-social-et-professionnel-personnalise",
    "urgent_child": "famille",
    "urgent_suicide": "sante",
    "urgent_medical": "sante",
    "book_appointment": "numerique",
    "cancel_appointment": "numerique",
    "move_appointment": "numerique",
}
DEFAULT_THEME = "acces-aux-droits-et-citoyennete"
NEED_LABELS = {
    "ask_guide": "comprendre un droit ou une démarche",
    "ask_rights": "comprendre ses droits",
    "search_service": "trouver un service",
    "book_appointment": "aide au numérique (rendez-vous)",
    "cancel_appointment": "annuler un rendez-vous",
    "move_appointment": "déplacer un rendez-vous",
    "nlu_fallback": "Sésame n'a pas compris la demande",
    **{name: f"situation urgente : {label}" for name, label in URGENT_INTENTS.items()},
}
SKIPPED_INTENTS = {"ask_human", "affirm", "deny", "greet", "thanks", "goodbye", "help", "inform"}
MAX_MESSAGES = 5
MAX_MESSAGE_CHARS = 200


@dataclass
class Summary:
    """What a conseiller sees at the top of a case."""

    need: str
    theme: str
    urgent: bool
    guides: list[str] = field(default_factory=list)
    searches: list[str] = field(default_factory=list)
    booking: str = ""
    last_messages: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_MESSAGE_CHARS else text[: MAX_MESSAGE_CHARS - 1] + "…"


def _is_payload(text: str) -> bool:
    return text.startswith("/")


def summarise(events: Iterable[dict[str, Any]], handoff_slots: set[str] | None = None) -> Summary:
    """Read the tracker's events once, oldest first.

    The answers given inside the handoff form itself (consent, phone, availability) are
    left out of ``last_messages``: they are stored in their own fields, or not at all.
    """
    handoff_slots = handoff_slots or set()
    intents: list[str] = []
    guides: list[str] = []
    searches: list[str] = []
    messages: list[str] = []
    booking = ""
    requested = None
    in_handoff = False
    for event in events:
        kind = event.get("event")
        if kind == "slot":
            name, value = event.get("name"), event.get("value")
            if name == "requested_slot":
                requested = value
            elif name == "guide_id" and value and value not in guides:
                guides.append(str(value))
            elif name == "catalogue_demande" and value and value not in searches:
                searches.append(_shorten(str(value)))
            elif name == "booking_reference" and value:
                booking = f"rendez-vous réservé (référence {value})"
        elif kind == "active_loop":
            in_handoff = event.get("name") == "handoff_form"
            if event.get("name") == "booking_form" and not booking:
                booking = "réservation commencée, pas terminée"
        elif kind == "user":
            intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name") or ""
            text = str(event.get("text") or "")
            if in_handoff and requested in handoff_slots:
                continue
            if intent and intent not in SKIPPED_INTENTS:
                intents.append(intent)
            if text and not _is_payload(text):
                messages.append(_shorten(text))
    urgent = any(name in URGENT_INTENTS for name in intents)
    return Summary(
        need=_need(intents),
        theme=_theme(intents, guides),
        urgent=urgent,
        guides=guides,
        searches=searches,
        booking=booking,
        last_messages=messages[-MAX_MESSAGES:],
    )


def _need(intents: list[str]) -> str:
    urgent = [name for name in intents if name in URGENT_INTENTS]
    chosen = urgent[-1] if urgent else (intents[-1] if intents else "")
    return NEED_LABELS.get(chosen, "parler à une personne")


def _theme(intents: list[str], guides: list[str]) -> str:
    for name in reversed(intents):
        if name in URGENT_INTENTS:
            return INTENT_THEMES[name]
    if guides and guides[-1] in GUIDE_THEMES:
        return GUIDE_THEMES[guides[-1]]
    for name in reversed(intents):
        if name in INTENT_THEMES:
            return INTENT_THEMES[name]
    return DEFAULT_THEME

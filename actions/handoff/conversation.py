"""The handoff dialogue in plain Python: read the resident's answers, choose what to say next.

The Rasa form (``handoff_form``) asks four things: consent, how to be contacted, a phone
number when one is needed and unknown, and when the resident is available. Each answer
is read here from the text as residents write it (no accents, SMS spelling, a button).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from actions.common.phones import find_french
from actions.common.text import fold

CONSENT, CONTACT, PHONE, AVAILABILITY = ("handoff_consent", "handoff_contact", "handoff_phone",
                                         "handoff_availability")
FORM_SLOTS = [CONSENT, CONTACT, PHONE, AVAILABILITY]
ABORTED = "handoff_aborted"
SKIPPED = "-"
CHANNELS_THAT_KNOW_THE_PHONE = {"sms"}

_WORDS = re.compile(r"[a-z0-9']+")
_DIGIT_RUN = re.compile(r"(?:\+|00)?\d[\d\s.\-]{7,}\d")  # anything like a phone number, even a wrong one
YES = {"oui", "ouais", "ouai", "ok", "okay", "oki", "dac", "daccord", "d'accord", "accord", "yes", "bien sur",
       "vas y", "allez y", "go", "je veux bien", "je suis d'accord", "volontiers", "oui merci", "/affirm", "ui", "wi"}
NO = {"non", "nan", "no", "pas d'accord", "je refuse", "refuse", "non merci", "/deny", "jamais", "pas question"}
ABORT = {"annuler", "annule", "laisse tomber", "laissez tomber", "stop", "arreter", "arrete", "j'arrete",
         "on arrete", "tant pis", "/start_over"}
CONTACT_WORDS = [
    ("ici", ("ici", "continuer ici", "ecrit", "par ecrit", "chat", "tchat", "en ligne", "maintenant", "direct")),
    ("sms", ("sms", "texto", "textos", "message", "messages", "ecrire par sms")),
    ("rendez-vous", ("rendez-vous", "rendez vous", "rdv", "rencontrer", "sur place", "en vrai", "venir",
                     "face a face", "se voir", "voir quelqu'un")),
    ("telephone", ("telephone", "tel", "appel", "appeler", "appelez", "appelle", "rappel", "rappeler",
                   "rappelez", "rapeler", "rappelle", "portable", "phone", "oral")),
]
AVAILABILITY_WORDS = [
    ("le matin", ("matin", "matinee", "am")),
    ("l'après-midi", ("apres-midi", "apres midi", "aprem", "apm", "aprem", "l'apres")),
    ("n'importe quand", ("importe", "n'importe", "quand vous voulez", "tout le temps", "toujours", "peu importe",
                         "pas de preference", "libre")),
]


@dataclass
class Answer:
    """Slots to set from one message, and an optional response to say first."""

    slots: dict[str, Any] = field(default_factory=dict)
    response: str | None = None


def _matches(folded: str, phrases: set[str] | tuple[str, ...]) -> bool:
    padded = f" {folded} "
    return any(f" {phrase} " in padded or folded == phrase for phrase in phrases)


def _clean(text: str) -> str:
    return " ".join(_WORDS.findall(fold(text).replace("-", " ").replace("’", "'")))


def wants_to_stop(text: str) -> bool:
    folded = fold(text).strip(" .!")
    return folded in ABORT or _matches(_clean(text), {"annuler", "laisse tomber", "laissez tomber"})


def parse_consent(text: str) -> bool | None:
    """True for a clear yes, False for a clear no, None otherwise (the question is asked again)."""
    folded = fold(text).strip(" .!")
    if folded in NO or _matches(_clean(text), {"non", "nan", "pas d'accord", "refuse"}):
        return False
    if folded in YES or _matches(_clean(text), {"oui", "ok", "d'accord", "daccord", "dac", "ouais", "yes"}):
        return True
    return None


def parse_contact(text: str) -> str | None:
    """``telephone``, ``sms``, ``rendez-vous`` or ``ici``; a phone number alone means "call me"."""
    cleaned = _clean(text)
    folded = fold(text)
    for mode, words in CONTACT_WORDS:
        if folded.strip() == mode or _matches(cleaned, tuple(w.replace("-", " ") for w in words)):
            return mode
    if find_french(text):
        return "telephone"
    return None


def parse_availability(text: str) -> str:
    """A short label for the usual answers, else what was written (shortened, without a phone number)."""
    cleaned = _clean(text)
    for label, words in AVAILABILITY_WORDS:
        if _matches(cleaned, tuple(w.replace("-", " ") for w in words)):
            return label
    # Not phonenumbers' matcher: this scrub also drops a mistyped number ("06 12 34 56"), which the
    # matcher, finding only possible numbers, leaves in the text (checked with phonenumbers 9.0.43).
    free = _DIGIT_RUN.sub("", text).strip()
    return " ".join(free.split())[:120] or "n'importe quand"


def needs_phone(contact: str | None, channel: str) -> bool:
    """A call, an SMS or an appointment needs a number, unless the channel is the phone itself."""
    if contact in ("ici", None, SKIPPED):
        return False
    return channel not in CHANNELS_THAT_KNOW_THE_PHONE


def required(slots: dict[str, Any], channel: str) -> list[str]:
    """What the form still has to ask, in order, given what it knows."""
    if slots.get(ABORTED) or slots.get(CONSENT) is False:
        return []
    wanted = [CONSENT, CONTACT]
    contact = slots.get(CONTACT)
    if needs_phone(contact, channel):
        wanted.append(PHONE)
    if contact not in ("ici",):
        wanted.append(AVAILABILITY)
    return wanted


def read_answer(requested: str | None, text: str, channel: str) -> Answer:
    """The slots one message fills when the form asked ``requested``."""
    if not requested or requested not in FORM_SLOTS:
        return Answer()
    if wants_to_stop(text):
        return Answer({ABORTED: True})
    if requested == CONSENT:
        consent = parse_consent(text)
        if consent is None:
            return Answer(response="utter_handoff_consent_again")
        return Answer({CONSENT: consent})
    if requested == CONTACT:
        mode = parse_contact(text)
        if mode is None:
            return Answer(response="utter_handoff_contact_again")
        slots: dict[str, Any] = {CONTACT: mode}
        phone = find_french(text)
        if phone and needs_phone(mode, channel):
            slots[PHONE] = phone
        return Answer(slots)
    if requested == PHONE:
        phone = find_french(text)
        if phone is None:
            return Answer(response="utter_handoff_phone_invalid")
        return Answer({PHONE: phone})
    return Answer({AVAILABILITY: parse_availability(text)})


def answers_since_asked(events: list[dict[str, Any]], requested: str | None) -> int:
    """How many messages the resident sent since the form asked ``requested`` (this one included)."""
    count = 0
    for event in reversed(events):
        if event.get("event") == "user":
            count += 1
        elif event.get("event") == "slot" and event.get("name") == "requested_slot":
            if event.get("value") == requested:
                return count
            break
    return count

"""How the booking conversation reads the resident's answers (plain functions, tested without Rasa)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from actions.booking.dates import parse_when
from actions.booking.fmt import when_fr
from actions.booking.availability import PARIS, Preference, to_utc
from actions.common.form_answers import control_word
from actions.common.text import fold

ANY_PLACE = "any"
_YES = re.compile(r"^(oui|ouai|ouais|oue|yes|ok|okay|d accord|dac|daccord|je confirme|confirme|confirmer|c est bon|"
                  r"c est ok|parfait|valider|valide|go|exact|c est ca|ca me va|tres bien|bien sur|1)\b")
_NO = re.compile(r"^(non|nan|no|pas d accord|changer|modifier|je veux changer|autre|2)\b")
_ANY = re.compile(r"\b(peu importe|n importe|nimporte|importe|pas de preference|le plus tot|le plus rapide|"
                  r"au plus vite|le plus proche|partout|ou vous voulez|je sais pas|jsp|aucune idee|egal)\b")
_OTHER_DAY = re.compile(r"\b(un )?autre (jour|date|moment|creneau|horaire)s?\b|\bautres? (dates|creneaux)\b|"
                        r"\bpas dispo\b|\baucun\b|\b(ca|ça) ne (me )?va pas\b|\bplus tard\b")
_CHANGE_SLOT = re.compile(r"\b(changer|modifier) (le |de )?(creneau|date|heure|jour|horaire)\b")
# "I'd rather move it" (said while cancelling): move verbs, or another day/time for the appointment.
_MOVE = re.compile(r"\b(decal\w*|deplac\w*|report\w*|repouss\w*|avanc\w*|bouger|reprogramm\w*|"
                   r"(changer|change|changez|modifier|modifie|modifiez) (de |le |la |l |d )?"
                   r"(jour|date|creneau|heure|horaire|moment|rdv|rendez vous|rendez-vous)|"
                   r"(un |une )?autre (jour|date|creneau|heure|horaire|moment))\b")
_CANCEL_APPOINTMENT = re.compile(r"\bannul\w*")
_NAME_PREFIX = re.compile(r"^(je m appelle|moi c est|c est|mon prenom (c est|est)|mon prenom|prenom|je suis|moi)\s+")
_NAME = re.compile(r"^[a-zà-öø-ÿ][a-zà-öø-ÿ' \-]{0,38}$", re.IGNORECASE)


def is_yes(text: str) -> bool:
    return bool(_YES.match(fold(text).replace("'", " ")))


def is_no(text: str) -> bool:
    return bool(_NO.match(fold(text).replace("'", " ")))


def wants_any_place(text: str) -> bool:
    return bool(_ANY.search(fold(text).replace("'", " ")))


def wants_other_day(text: str) -> bool:
    return bool(_OTHER_DAY.search(fold(text).replace("'", " ")))


def wants_slot_change(text: str) -> bool:
    return bool(_CHANGE_SLOT.search(fold(text).replace("'", " ")))


def wants_move(text: str) -> bool:
    """"plutôt le décaler", "changer de jour", "un autre jour": move the appointment rather than cancel it."""
    return bool(_MOVE.search(fold(text).replace("'", " ")))


def wants_cancel_appointment(text: str) -> bool:
    """"je veux l'annuler", "annulez mon rdv" (a sentence, not the bare word "annuler" that stops a form)."""
    return bool(_CANCEL_APPOINTMENT.search(fold(text))) and control_word(text) is None


def choice_number(text: str, count: int) -> int | None:
    """"2", "le 2", "numero 2", "la deuxieme" → 2 (1-based), when within ``count``."""
    said = fold(text).replace("'", " ")
    words = {"premier": 1, "premiere": 1, "un": 1, "deuxieme": 2, "second": 2, "seconde": 2, "deux": 2,
             "troisieme": 3, "trois": 3}
    match = re.fullmatch(r"(?:le |la |numero |n° ?|choix |creneau )?(\d)\W*", said)
    if match:
        number = int(match.group(1))
    else:
        found = re.fullmatch(r"(?:le |la )?(premier|premiere|deuxieme|second|seconde|troisieme)( creneau)?\W*", said)
        number = words[found.group(1)] if found else 0
    return number if 1 <= number <= count else None


def parse_first_name(text: str) -> str | None:
    """"je m'appelle nadia" → "Nadia"; None when it does not look like a first name."""
    raw = re.sub(r"\s+", " ", text.strip().strip(".!,"))
    lowered = fold(raw).replace("'", " ")
    prefix = _NAME_PREFIX.match(lowered)
    if prefix:
        raw = raw[len(prefix.group(0)):] if len(raw) > len(prefix.group(0)) else ""
        raw = raw.strip()
    if not raw or not _NAME.match(raw) or len(raw.split()) > 3:
        return None
    return re.sub(r"(^|[ \-'])(\w)", lambda m: m.group(1) + m.group(2).upper(), raw)


@dataclass(frozen=True)
class OfferView:
    """An offer as kept in the conversation: token plus display text."""

    token: str
    label: str


def offer_label(start: datetime, place_name: str) -> str:
    return f"{when_fr(start)} à {place_name}" if place_name else when_fr(start)


def match_offer_by_words(text: str, starts: list[datetime], today: date) -> int | None:
    """An offer picked by its words ("mardi 9h", "celui de 10h") → its index, or None."""
    wanted = parse_when(text, today)
    if not wanted.understood:
        return None
    hits = []
    for i, start in enumerate(starts):
        local = to_utc(start).astimezone(PARIS)
        if wanted.day and local.date() != wanted.day:
            continue
        if wanted.around and (local.hour, local.minute) != (wanted.around.hour, wanted.around.minute):
            continue
        if not wanted.day and not wanted.around:
            continue
        hits.append(i)
    return hits[0] if len(hits) == 1 else None


def next_day_preference(last_start: datetime | None, today: date) -> Preference:
    """"Un autre jour": offers from the day after the last one shown."""
    if last_start is None:
        return Preference(not_before_day=today + timedelta(days=1))
    return Preference(not_before_day=to_utc(last_start).astimezone(PARIS).date() + timedelta(days=1))


def paris_today(now: datetime | None = None) -> date:
    return (now or datetime.now(timezone.utc)).astimezone(PARIS).date()

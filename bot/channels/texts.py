"""Resident-facing texts the channels send themselves (before or around Rasa). Plain French."""
from __future__ import annotations

from datetime import timedelta

from messaging import gsm7

SMS_STOPPED = (
    "C'est noté. Vous ne recevrez plus de SMS de Sésame. "
    "Pour recommencer, envoyez START."
)
SMS_RESTARTED = "C'est noté. Vous recevez à nouveau les SMS de Sésame. Envoyez AIDE pour voir le menu."
# Every national number of the urgent answers (domain/urgent.yml utter_urgent_*, plus 18), in one line.
EMERGENCY_NUMBERS = (
    "Urgence : 15, 17, 18 ou 112. SMS : 114. Abri : 115. Enfant : 119. Suicide : 3114. Violences : 3919."
)


def duration(window: timedelta) -> str:
    """60 min → '1 h', 90 min → '90 min', 10 min → '10 min'."""
    minutes = max(1, int(window.total_seconds() // 60))
    return f"{minutes // 60} h" if minutes % 60 == 0 else f"{minutes} min"


def rate_limited(window: timedelta) -> str:
    """The notice of a rate limit: when Sésame answers again, and every emergency number."""
    return f"Vous avez envoyé beaucoup de messages. Je réponds dans {duration(window)}. {EMERGENCY_NUMBERS}"


SMS_RATE_LIMITED = rate_limited(timedelta(hours=1))  # the default SMS window: one SMS (159 characters)
MESSAGE_TOO_LONG = "Votre message est très long. Pouvez-vous l'écrire en plus court ? Quelques phrases suffisent."
BODY_TOO_LARGE = "message trop long"  # REST 413 reason (for programs, not residents)

# What to do first, by kind of emergency (from domain/urgent.yml utter_urgent_*; fire has no response there).
URGENT_LINES = {
    "urgent_suicide": "Merci de me le dire. Appelez le 3114. C'est gratuit, jour et nuit.",
    "urgent_child": "Un enfant est en danger ? Appelez le 119. C'est gratuit, jour et nuit.",
    "urgent_violence": "Vous êtes en danger ? Appelez le 17. Violences : appelez le 3919, jour et nuit.",
    "urgent_medical": "Urgence pour la santé ? Appelez le 15 ou le 112 tout de suite.",
    "urgent_fire": "Il y a le feu ? Sortez. Appelez le 18 ou le 112.",
    "urgent_shelter": "Pas d'endroit pour dormir ? Appelez le 115. C'est gratuit, jour et nuit.",
}
CANNOT_SPEAK_LINE = "Vous ne pouvez pas parler ? Envoyez un SMS au 114."


def _fit(lines: list[str], last: str) -> str:
    """The lines then ``last``, dropping lines from the end until it fits 2 SMS segments."""
    kept = list(lines)
    def joined(parts: list[str]) -> str:
        return "\n".join(filter(None, [" ".join(parts), last]))

    while kept and not gsm7.fits(gsm7.normalise(joined(kept)), 2):
        kept.pop()
    return joined(kept)


def urgent_text(kinds: tuple = (), cannot_speak: bool = False) -> str:
    """The numbers for an urgent message the channel answers itself (no Rasa): at most 2 SMS segments."""
    lines = [URGENT_LINES[kind] for kind in kinds if kind in URGENT_LINES][:2]
    if cannot_speak:
        lines.insert(1 if lines else 0, CANNOT_SPEAK_LINE)
    return _fit(lines, EMERGENCY_NUMBERS)


def too_long(kinds: tuple = (), cannot_speak: bool = False) -> str:
    """The kind reply to a message over the length limit; it was not read, so it gives the numbers."""
    lines = [MESSAGE_TOO_LONG] + [URGENT_LINES[kind] for kind in kinds if kind in URGENT_LINES][:1]
    if cannot_speak:
        lines.append(CANNOT_SPEAK_LINE)
    return _fit(lines, EMERGENCY_NUMBERS)

TELEGRAM_NOT_TEXT = "Je lis seulement les messages écrits. Écrivez votre question avec vos mots."
TELEGRAM_GROUP = "Pour votre vie privée, je réponds seulement en message privé. Écrivez-moi directement."
TELEGRAM_OLD_BUTTON = "Ce bouton n'est plus valable. Écrivez votre question ou /aide."
SMS_NOT_TEXT = "Je lis seulement les messages écrits. Écrivez votre question avec vos mots, ou envoyez AIDE."

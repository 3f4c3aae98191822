"""Short replies a conseiller can send in one click, in plain French (checked by the FALC rules).

Kept in code, not in a template, so that ``tests/console/test_replies.py`` runs each one
through ``actions.guides.falc.check_text`` like every other text a resident reads.
"""
from __future__ import annotations

CANNED_REPLIES: dict[str, tuple[str, str]] = {
    # code: (label in the list, text sent to the resident)
    "bonjour": ("Bonjour, je lis votre demande",
                "Bonjour. J'ai lu votre demande. Je vous réponds dans quelques minutes."),
    "precision": ("Demander une précision",
                  "Pouvez-vous m'en dire un peu plus ? Écrivez-moi avec vos mots."),
    "appel": ("Proposer un appel",
              "Je peux vous appeler. Quel jour et à quelle heure êtes-vous libre ?"),
    "papiers": ("Papiers à apporter",
                "Apportez vos papiers. Par exemple : votre carte d'identité et une facture avec votre adresse."),
    "rendez-vous": ("Rendez-vous pris",
                    "Votre rendez-vous est pris. Vous allez recevoir un message avec le jour, l'heure et le lieu."),
    "attente": ("Je cherche la réponse",
                "Je cherche la bonne réponse pour vous. Merci de patienter un peu."),
    "fin": ("Fin de l'échange",
            "Merci pour votre message. Si vous avez une autre question, écrivez-nous quand vous voulez."),
}

MAX_REPLY_CHARS = 1000


def canned_text(code: str) -> str | None:
    entry = CANNED_REPLIES.get(code)
    return entry[1] if entry else None


def take_over_notice(display_name: str, service: str) -> str:
    return f"{display_name}, du {service}, vous répond. Le robot Sésame se met en pause."


HAND_BACK_NOTICE = "Vous parlez de nouveau avec Sésame, le robot. Écrivez « conseiller » pour revenir vers une personne."

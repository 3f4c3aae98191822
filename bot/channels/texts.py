"""Resident-facing texts the channels send themselves (before or around Rasa). Plain French."""
from __future__ import annotations

SMS_STOPPED = (
    "C'est noté. Vous ne recevrez plus de SMS de Sésame. "
    "Pour recommencer, envoyez START."
)
SMS_RESTARTED = "C'est noté. Vous recevez à nouveau les SMS de Sésame. Envoyez AIDE pour voir le menu."
SMS_RATE_LIMITED = (
    "Vous avez envoyé beaucoup de messages. Je vous répondrai à nouveau dans 1 heure. "
    "En cas d'urgence, appelez le 115, le 17 ou le 15."
)
TELEGRAM_NOT_TEXT = "Je lis seulement les messages écrits. Écrivez votre question avec vos mots."
TELEGRAM_GROUP = "Pour votre vie privée, je réponds seulement en message privé. Écrivez-moi directement."
TELEGRAM_OLD_BUTTON = "Ce bouton n'est plus valable. Écrivez votre question ou /aide."
SMS_NOT_TEXT = "Je lis seulement les messages écrits. Écrivez votre question avec vos mots, ou envoyez AIDE."

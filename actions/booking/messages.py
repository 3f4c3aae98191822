"""Texts of the messages sent after a booking (SMS-sized, plain French, no phone number inside)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from actions.booking.fmt import when_fr


@dataclass(frozen=True)
class MessageFacts:
    """What a confirmation or reminder mentions."""

    reference: str
    starts_at: datetime
    place_name: str
    place_address: str
    place_phone: str
    what_to_bring: str


def _where(facts: MessageFacts) -> str:
    return f"{facts.place_name}, {facts.place_address}" if facts.place_address else facts.place_name


def confirmation_body(facts: MessageFacts) -> str:
    text = (
        f"Sésame : votre rendez-vous est confirmé. "
        f"Le {when_fr(facts.starts_at)}. Lieu : {_where(facts)}. "
        f"Référence : {facts.reference}."
    )
    if facts.what_to_bring:
        text += f" À apporter : {facts.what_to_bring}."
    return text + " Pour changer la date, écrivez DECALER à Sésame. Pour annuler, écrivez ANNULER."


def reminder_body(facts: MessageFacts) -> str:
    return (
        f"Sésame : rappel. Vous avez rendez-vous demain, le {when_fr(facts.starts_at)}. "
        f"Lieu : {_where(facts)}. Référence : {facts.reference}. "
        f"Vous ne pouvez pas venir ? Écrivez DECALER ou ANNULER à Sésame."
    )


def cancellation_body(facts: MessageFacts) -> str:
    return (
        f"Sésame : votre rendez-vous du {when_fr(facts.starts_at)} est annulé. "
        f"Référence : {facts.reference}. Pour un autre rendez-vous, écrivez RDV à Sésame."
    )


def moved_body(facts: MessageFacts) -> str:
    return (
        f"Sésame : votre rendez-vous est déplacé au {when_fr(facts.starts_at)}. "
        f"Lieu : {_where(facts)}. Référence : {facts.reference}. "
        f"Vous ne pouvez pas venir ? Écrivez DECALER ou ANNULER à Sésame."
    )

"""The words of the residents' rights: a short summary for every channel, a full text to download.

The responses live in domain/privacy.yml (so the plain-language checks read them); this module
fills their variables from :class:`PersonalData` and :class:`Erased`.
"""
from __future__ import annotations

from datetime import datetime

from actions.booking.fmt import day_fr, when_fr
from actions.privacy.rights import Erased, PersonalData

STATUS_WORDS = {
    "nouveau": "pas encore lue",
    "pris_en_charge": "suivie par un conseiller",
    "attente_resident": "en attente de votre réponse",
    "clos": "terminée",
}
APPOINTMENT_WORDS = {"booked": "réservé", "cancelled": "annulé", "done": "passé", "no_show": "passé"}


def _count(number: int, one: str, many: str) -> str:
    return f"1 {one}" if number == 1 else f"{number} {many}"


def summary_lines(data: PersonalData) -> list[str]:
    """One short line per kind of data, for an SMS or a chat bubble."""
    lines = []
    if data.messages:
        lines.append(f"- {_count(len(data.messages), 'message', 'messages')} depuis le "
                     f"{day_fr(data.messages[0].at)}.")
    for case in data.cases:
        lines.append(f"- Votre demande {case.reference} à un conseiller : {STATUS_WORDS.get(case.status, case.status)}.")
    if data.consents:
        lines.append(f"- Votre accord pour la transmettre, donné le {day_fr(data.consents[0][0])}.")
    for appt in data.appointments:
        lines.append(f"- Un rendez-vous {APPOINTMENT_WORDS.get(appt.status, appt.status)} le "
                     f"{when_fr(appt.starts_at)}.")
    phones = {data.sms_phone} | {c.phone for c in data.cases} | {a.phone for a in data.appointments}
    phones.discard("")
    endings = sorted({phone[-2:] for phone in phones})
    if endings:  # the last two digits only: enough to recognise it, nothing for a stranger
        lines.append(f"- Votre numéro de téléphone (il finit par {' et '.join(endings)}).")
    if data.unpublished_events:  # production only, while RabbitMQ is unreachable
        lines.append(f"- {_count(data.unpublished_events, 'copie', 'copies')} de notre échange en attente "
                     "d'envoi au journal des conversations.")
    return lines


def export_summary(data: PersonalData) -> str:
    """The variable ``{summary}`` of utter_privacy_export."""
    return "\n".join(summary_lines(data))


def erased_details(erased: Erased) -> str:
    """The variable ``{details}`` of utter_privacy_erased: only what concerns this resident."""
    parts = []
    for moment in erased.appointments_kept:
        parts.append(f"Votre rendez-vous du {when_fr(moment)} reste réservé, sans rappel.")
    return " ".join(parts)


def export_document(data: PersonalData, now: datetime) -> str:
    """The full text a web resident downloads: every message and every fact, nothing hidden."""
    out = [f"Vos données chez Sésame, le {when_fr(now)}.", "",
           "Sésame est l'assistant de la Ville de Chambéry et de son CCAS (centre communal d'action sociale).",
           "Pour tout effacer, écrivez « effacez mes données » dans la conversation.", ""]
    out.append("Ce que je garde :")
    out.extend(summary_lines(data) or ["- Rien."])
    for case in data.cases:
        out += ["", f"Demande {case.reference}, créée le {when_fr(case.created_at)} :",
                f"- Comment vous joindre : {case.contact_mode}{' (' + case.phone + ')' if case.phone else ''}.",
                f"- Vos disponibilités : {case.availability or 'non dites'}.",
                "- Le résumé envoyé au conseiller :", case.summary]
    for appt in data.appointments:
        out += ["", f"Rendez-vous {appt.reference} : {when_fr(appt.starts_at)}, {appt.place}.",
                f"- Prénom : {appt.first_name or 'non gardé'}. Portable : {appt.phone or 'non gardé'}."]
    if data.unpublished_events:
        out += ["", "Copies en attente d'envoi au journal des conversations :",
                f"- {_count(data.unpublished_events, 'copie', 'copies')} des messages ci-dessous et des étapes "
                "de la conversation, gardées le temps que le journal les reçoive (moins d'une seconde "
                "d'habitude), effacées avec la conversation."]
    if data.messages:
        out += ["", "Nos messages :"]
        out.extend(f"[{when_fr(line.at)}] {line.author} : {line.text}" for line in data.messages)
    return "\n".join(out) + "\n"

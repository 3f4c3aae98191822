"""The queue of cases and one case's page with everything a conseiller does on it.

Order of work for an action that touches Rasa: check the case, then ask Rasa (pause or
resume: if Rasa does not answer, nothing changes and the page says so), then write the case,
the message to the resident and the audit line in one transaction, then add the message to
the transcript (best effort: the resident already has it through ``delivery``).
"""
from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from aiohttp import web

from actions.booking.search import Offer
from actions.booking.service import BookingError, BookingService, SlotTaken
from actions.handoff import audit, cases, delivery, queue
from actions.handoff.models import CLOSED, Case, CaseMessage, CaseNote
from bot.console.auth import Identity
from bot.console.context import CLOCK, ENGINE, RASA, in_db, local_time, now, render, human_duration, row_id
from bot.console.rasa_api import RasaUnavailable, transcript
from bot.console.replies import (
    CANNED_REPLIES, HAND_BACK_NOTICE, MAX_REPLY_CHARS, canned_text, take_over_notice,
)

log = logging.getLogger(__name__)

TAB_LABELS = {queue.TAB_NEW: "Nouvelles", queue.TAB_MINE: "Mes demandes", queue.TAB_WAITING: "En attente du résident",
              queue.TAB_CLOSED: "Closes"}
NOTICES = {
    "pris": "Vous avez pris la demande en charge. Le robot est en pause pour cette personne.",
    "envoye": "Votre message est envoyé.",
    "note": "La note est enregistrée. Le résident ne la voit pas.",
    "attente": "La demande attend maintenant la réponse du résident.",
    "rendu": "Le robot Sésame répond de nouveau à cette personne.",
    "clos": "La demande est close. Le robot Sésame répond de nouveau à cette personne.",
    "rdv": "Le rendez-vous est réservé.",
    "transcript": "Le message est envoyé, mais il n'apparaît pas encore dans la conversation du robot.",
}


def _case_id(request: web.Request) -> int:
    return row_id(request.match_info["id"])


def _case_url(request: web.Request, case_id: int, notice: str = "") -> str:
    url = str(request.app.router["case"].url_for(id=str(case_id)))
    return f"{url}?info={notice}" if notice else url


# --- the queue ---------------------------------------------------------------------------------
async def queue_page(request: web.Request) -> web.Response:
    user: Identity = request["user"]
    tab = request.query.get("onglet", queue.TAB_NEW)
    if tab not in queue.TABS:
        tab = queue.TAB_NEW
    filters = queue.QueueFilters(
        theme=request.query.get("theme", "")[:80], channel=request.query.get("canal", "")[:20],
        urgency=request.query.get("urgence", "")[:10],
    )
    moment = now(request)

    def _read(session):  # type: ignore[no-untyped-def]
        return queue.list_cases(session, tab, user.id, filters), queue.tab_counts(session, user.id)

    rows, counts = await in_db(request, _read)
    waited = {row.id: human_duration(row.created_at, moment) for row in rows}
    return render(request, "queue.html", title=TAB_LABELS[tab], tab=tab, tabs=TAB_LABELS, counts=counts,
                  rows=rows, waited=waited, filters=filters, nav="queue")


# --- one case ----------------------------------------------------------------------------------
def _load_case(session, case_id: int, user: Identity, moment: datetime, action: str = "consultation"):  # type: ignore[no-untyped-def]
    try:
        case = cases.get_case(session, case_id)
    except cases.CaseNotFound:
        return None
    audit.record(session, user, action, moment, case_id=case.id, detail=case.reference)
    notes = list(session.query(CaseNote).filter(CaseNote.case_id == case.id).order_by(CaseNote.id))
    sent = list(session.query(CaseMessage).filter(CaseMessage.case_id == case.id).order_by(CaseMessage.id))
    return {
        "case": case, "summary": cases.summary_of(case), "assigned": queue.user_name(session, case.assigned_to),
        "consent_at": queue.consent_time(session, case.id), "notes": notes, "sent": sent,
        "motifs": queue.booking_choices(session),
    }


async def case_page(request: web.Request, *, status: int = 200, error: str = "", reply_text: str = "",
                    offers: list[Offer] | None = None, case_id: int | None = None) -> web.Response:
    user: Identity = request["user"]
    case_id = case_id if case_id is not None else _case_id(request)
    moment = now(request)
    data = await in_db(request, lambda s: _load_case(s, case_id, user, moment))
    if data is None:
        raise web.HTTPNotFound(text="Cette demande n'existe pas.")
    case: Case = data["case"]
    rasa_error = False
    lines: list[dict] = []
    try:
        lines = transcript(await request.app[RASA].tracker(case.conversation_id))
    except RasaUnavailable as exc:
        log.warning("tracker unavailable for case %s: %s", case.reference, exc)
        rasa_error = True
    motif = request.query.get("motif", "")
    place = request.query.get("lieu", "")
    if offers is None and motif:
        offers = await _search_offers(request, motif, place)
    mine = case.assigned_to == user.id
    return render(
        request, "case.html", status=status, title=f"Demande {case.reference}", case=case, mine=mine,
        can_take=case.status != CLOSED and not (mine and case.paused), can_reply=mine and case.paused and case.status != CLOSED,
        waited=human_duration(case.created_at, moment), lines=lines, rasa_error=rasa_error,
        last_timestamp=max((line["timestamp"] for line in lines), default=0.0),
        notice=NOTICES.get(request.query.get("info", ""), ""), error=error, reply_text=reply_text,
        canned=CANNED_REPLIES, max_reply=MAX_REPLY_CHARS, outcomes=cases.OUTCOMES, offers=offers,
        chosen_motif=motif, chosen_place=place, nav="queue",
        places=sorted({p for m in data["motifs"] for p in m.places}, key=lambda p: p[1]), **{k: v for k, v in data.items() if k != "case"},
    )


async def _search_offers(request: web.Request, motif: str, place: str) -> list[Offer]:
    service = BookingService(request.app[ENGINE], clock=request.app[CLOCK])

    def _search() -> list[Offer]:
        try:
            return service.search(motif[:64], place[:64] or None, limit=6, max_per_day=3)
        except (BookingError, KeyError, LookupError, ValueError):
            return []

    return await asyncio.get_running_loop().run_in_executor(None, _search)


async def messages_json(request: web.Request) -> web.Response:
    """The transcript's messages after ``after`` (a Rasa timestamp), for console.js."""
    case_id = _case_id(request)
    try:
        after = float(request.query.get("after", "0") or 0)
    except ValueError:
        return web.json_response({"error": "after doit être un nombre."}, status=400)

    def _read(session):  # type: ignore[no-untyped-def]
        case = session.get(Case, case_id)
        return None if case is None else (case.conversation_id, case.status, case.paused)

    found = await in_db(request, _read)
    if found is None:
        return web.json_response({"error": "Cette demande n'existe pas."}, status=404)
    conversation_id, status, paused = found
    try:
        lines = transcript(await request.app[RASA].tracker(conversation_id), after)
    except RasaUnavailable:
        return web.json_response({"error": "Le robot ne répond pas. Réessayez dans un instant.",
                                  "messages": []}, status=503)
    for line in lines:
        line["time"] = local_time(line["timestamp"], "%H:%M")
    return web.json_response({"messages": lines, "status": status, "paused": paused})


# --- actions -----------------------------------------------------------------------------------
async def _current(request: web.Request, case_id: int) -> Case:
    case = await in_db(request, lambda s: s.get(Case, case_id))
    if case is None:
        raise web.HTTPNotFound(text="Cette demande n'existe pas.")
    return case


async def _tell_transcript(request: web.Request, case: Case, text: str, author: str) -> bool:
    try:
        await request.app[RASA].bot_message(case.conversation_id, text, author)
        return True
    except RasaUnavailable as exc:
        log.warning("transcript not updated for case %s: %s", case.reference, exc)
        return False


async def take_over(request: web.Request) -> web.StreamResponse:
    user: Identity = request["user"]
    case_id = _case_id(request)
    case = await _current(request, case_id)
    if case.status == CLOSED:
        return await case_page(request, status=409, error="Cette demande est close.")
    try:
        await request.app[RASA].pause(case.conversation_id)
    except RasaUnavailable:
        return await case_page(request, status=503, error=(
            "Le robot ne répond pas : il n'est pas mis en pause. La demande n'est pas prise en charge. "
            "Réessayez dans un instant."))
    notice = take_over_notice(user.display_name, user.service)
    moment = now(request)

    def _write(session):  # type: ignore[no-untyped-def]
        taken = cases.take_over(session, case_id, user, moment)
        delivery.send_to_resident(session, taken, user.display_name, notice, moment)
        audit.record(session, user, "prise_en_charge", moment, case_id=case_id, detail=taken.reference)
        return taken

    try:
        case = await in_db(request, _write)
    except (cases.CaseTransitionError, delivery.NoWayToReachResident) as exc:
        return await case_page(request, status=409, error=_transition_text(exc))
    ok = await _tell_transcript(request, case, notice, user.display_name)
    raise web.HTTPSeeOther(_case_url(request, case_id, "pris" if ok else "transcript"))


def _transition_text(exc: Exception) -> str:
    if isinstance(exc, cases.CaseTakenByOther):
        return "Un ou une collègue répond déjà à cette personne. Demandez-lui, ou à un administrateur, de vous la confier."
    if isinstance(exc, delivery.NoWayToReachResident):
        return "Le numéro du résident n'est plus connu : le message ne peut pas partir. Appelez-le si vous le pouvez."
    return "Cette action n'est pas possible pour une demande dans cet état. Actualisez la page."


async def reply(request: web.Request) -> web.StreamResponse:
    user: Identity = request["user"]
    case_id = _case_id(request)
    form = await request.post()
    code = str(form.get("canned", ""))
    body = canned_text(code) if code else str(form.get("body", "")).strip()
    if code and body is None:
        return await case_page(request, status=400, error="Choisissez une réponse dans la liste.")
    if not body:
        return await case_page(request, status=400, error="Votre message est vide. Écrivez votre réponse.")
    if len(body) > MAX_REPLY_CHARS:
        return await case_page(request, status=400, reply_text=body, error=(
            f"Votre message a {len(body)} caractères. Le maximum est {MAX_REPLY_CHARS}. "
            "Raccourcissez-le ou envoyez-le en 2 fois."))
    case = await _current(request, case_id)
    if case.assigned_to != user.id or not case.paused or case.status == CLOSED:
        return await case_page(request, status=409, reply_text=body,
                               error="Prenez d'abord la demande en charge pour répondre.")
    moment = now(request)

    def _write(session):  # type: ignore[no-untyped-def]
        current = cases.get_case(session, case_id)
        delivery.send_to_resident(session, current, user.display_name, body, moment)
        detail = f"réponse type {code}" if code else f"réponse de {len(body)} caractères"
        audit.record(session, user, "reponse", moment, case_id=case_id, detail=detail)
        return current

    try:
        case = await in_db(request, _write)
    except (cases.CaseTransitionError, delivery.NoWayToReachResident) as exc:
        return await case_page(request, status=409, reply_text=body, error=_transition_text(exc))
    ok = await _tell_transcript(request, case, body, user.display_name)
    raise web.HTTPSeeOther(_case_url(request, case_id, "envoye" if ok else "transcript"))


async def note(request: web.Request) -> web.StreamResponse:
    user: Identity = request["user"]
    case_id = _case_id(request)
    form = await request.post()
    body = str(form.get("note", "")).strip()
    if not body:
        return await case_page(request, status=400, error="La note est vide. Écrivez votre note.")
    if len(body) > 4000:
        return await case_page(request, status=400, error="La note est trop longue : 4000 caractères au plus.")
    moment = now(request)

    def _write(session):  # type: ignore[no-untyped-def]
        case = cases.get_case(session, case_id)
        cases.add_note(session, case, user, body, moment)
        audit.record(session, user, "note", moment, case_id=case_id, detail=case.reference)

    try:
        await in_db(request, _write)
    except cases.CaseNotFound:
        raise web.HTTPNotFound(text="Cette demande n'existe pas.") from None
    raise web.HTTPSeeOther(_case_url(request, case_id, "note"))


async def wait(request: web.Request) -> web.StreamResponse:
    user: Identity = request["user"]
    case_id = _case_id(request)
    moment = now(request)

    def _write(session):  # type: ignore[no-untyped-def]
        case = cases.wait_for_resident(session, case_id, moment)
        audit.record(session, user, "attente_resident", moment, case_id=case_id, detail=case.reference)

    try:
        await in_db(request, _write)
    except cases.CaseTransitionError as exc:
        return await case_page(request, status=409, error=_transition_text(exc))
    except cases.CaseNotFound:
        raise web.HTTPNotFound(text="Cette demande n'existe pas.") from None
    raise web.HTTPSeeOther(_case_url(request, case_id, "attente"))


async def _resume_with_notice(request: web.Request, case: Case, action: str, outcome: str | None) -> web.StreamResponse:
    """Hand back or close: Rasa resumes first; the resident is told when a person had the conversation."""
    user: Identity = request["user"]
    case_id = case.id
    if outcome is not None and outcome not in cases.OUTCOMES:
        return await case_page(request, status=400, error="Choisissez le résultat de la demande dans la liste.")
    if case.status == CLOSED:
        return await case_page(request, status=409, error="Cette demande est déjà close.")
    was_paused = bool(case.paused)
    if was_paused:
        try:
            await request.app[RASA].resume(case.conversation_id)
        except RasaUnavailable:
            return await case_page(request, status=503, error=(
                "Le robot ne répond pas : il ne peut pas reprendre la conversation. Rien n'a changé. "
                "Réessayez dans un instant."))
    moment = now(request)

    def _write(session):  # type: ignore[no-untyped-def]
        current = cases.get_case(session, case_id)
        if was_paused:
            delivery.send_to_resident(session, current, "Sésame", HAND_BACK_NOTICE, moment)
        if outcome is None:
            current = cases.hand_back(session, case_id, moment)
            audit.record(session, user, action, moment, case_id=case_id, detail=current.reference)
        else:
            current = cases.close(session, case_id, outcome, moment)
            audit.record(session, user, action, moment, case_id=case_id, detail=f"{current.reference} {outcome}")
        return current

    try:
        case = await in_db(request, _write)
    except (cases.CaseTransitionError, delivery.NoWayToReachResident) as exc:
        return await case_page(request, status=409, error=_transition_text(exc))
    ok = (await _tell_transcript(request, case, HAND_BACK_NOTICE, "Sésame")) if was_paused else True
    raise web.HTTPSeeOther(_case_url(request, case_id, ("rendu" if outcome is None else "clos") if ok else "transcript"))


async def hand_back(request: web.Request) -> web.StreamResponse:
    case = await _current(request, _case_id(request))
    return await _resume_with_notice(request, case, "rendu_au_robot", None)


async def close(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    case = await _current(request, _case_id(request))
    return await _resume_with_notice(request, case, "cloture", str(form.get("outcome", "")))


async def book(request: web.Request) -> web.StreamResponse:
    """Book one of the offers shown on the case page, with the case's phone and channel."""
    user: Identity = request["user"]
    case_id = _case_id(request)
    form = await request.post()
    motif = str(form.get("motif", ""))[:64]
    try:
        start, place_id, conseiller_id = Offer.parse_token(str(form.get("creneau", "")))
    except ValueError:
        return await case_page(request, status=400, error="Choisissez un créneau dans la liste.")
    case = await _current(request, case_id)
    first_name = str(form.get("prenom", "")).strip()[:80]
    service = BookingService(request.app[ENGINE], clock=request.app[CLOCK])

    def _book():  # type: ignore[no-untyped-def]
        return service.book(motif, start, place_id, conseiller_id, first_name=first_name, phone_e164=case.phone,
                            channel=case.channel, sender_id=case.conversation_id)

    try:
        booked = await asyncio.get_running_loop().run_in_executor(None, _book)
    except SlotTaken as exc:
        return await case_page(request, status=409, offers=exc.alternatives,
                               error="Ce créneau vient d'être pris. Choisissez un autre créneau.")
    except (BookingError, LookupError, ValueError):
        return await case_page(request, status=400, error="Le rendez-vous n'a pas pu être réservé. Réessayez.")
    moment = now(request)
    text = (f"Votre rendez-vous est le {local_time(booked.starts_at, '%d/%m/%Y à %H:%M')}, "
            f"à {booked.place_name}. Votre numéro de rendez-vous : {booked.reference}.")

    def _write(session):  # type: ignore[no-untyped-def]
        current = cases.get_case(session, case_id)
        audit.record(session, user, "rendez_vous", moment, case_id=case_id,
                     detail=f"{current.reference} rendez-vous {booked.reference}")
        if current.status != CLOSED and current.channel in delivery.PULL_CHANNELS:
            delivery.send_to_resident(session, current, user.display_name, text, moment)
            return True
        return False  # SMS and Telegram: the booking service sends its own confirmation

    told = await in_db(request, _write)
    if told and case.paused:
        await _tell_transcript(request, case, text, user.display_name)
    raise web.HTTPSeeOther(_case_url(request, case_id, "rdv"))


def add_routes(app: web.Application) -> None:
    app.router.add_get("/", queue_page, name="queue")
    app.router.add_get("/demandes", queue_page, name="queue_alias")
    app.router.add_get(r"/demandes/{id:\d+}", case_page, name="case")
    app.router.add_get(r"/demandes/{id:\d+}/messages.json", messages_json, name="case_messages")
    app.router.add_post(r"/demandes/{id:\d+}/prendre", take_over, name="take_over")
    app.router.add_post(r"/demandes/{id:\d+}/repondre", reply, name="reply")
    app.router.add_post(r"/demandes/{id:\d+}/note", note, name="note")
    app.router.add_post(r"/demandes/{id:\d+}/attendre", wait, name="wait")
    app.router.add_post(r"/demandes/{id:\d+}/rendre", hand_back, name="hand_back")
    app.router.add_post(r"/demandes/{id:\d+}/fermer", close, name="close")
    app.router.add_post(r"/demandes/{id:\d+}/rendez-vous", book, name="book")


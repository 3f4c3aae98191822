"""The queue and everything a conseiller does on a case, against the fake Rasa API."""
from __future__ import annotations

import json
import re

from sqlalchemy import select

from actions.common.db import session_scope
from actions.handoff.models import AuditEntry, Case, CaseMessage, CaseNote
from actions.notifications.models import Notification
from bot.console.replies import HAND_BACK_NOTICE
from tests.console.conftest import PASSWORD, make_case
from tests.console.harness import post_form, signed_in


def _case(engine, case_id: int) -> Case:
    with session_scope(engine) as session:
        return session.get(Case, case_id)


def _messages(engine, case_id: int) -> list[str]:
    with session_scope(engine) as session:
        return [m.body for m in session.scalars(select(CaseMessage).where(CaseMessage.case_id == case_id))]


def _audit(engine, case_id: int) -> list[tuple[str, str]]:
    with session_scope(engine) as session:
        return [(a.action, a.detail) for a in session.scalars(
            select(AuditEntry).where(AuditEntry.case_id == case_id).order_by(AuditEntry.id))]


def _do(http, server, case_id: int, action: str, data: dict | None = None):
    return post_form(http, server, f"/console/demandes/{case_id}", f"/console/demandes/{case_id}/{action}", data or {})


def test_queue_tabs_filters_and_urgent_first(server, engine):
    old = make_case(engine, "conv-old", theme="sante", minutes_ago=130)
    urgent = make_case(engine, "conv-urgent", theme="logement-hebergement", urgent=True, minutes_ago=5)
    sms = make_case(engine, "conv-sms", channel="sms", phone="+33612345678", theme="sante", minutes_ago=50)
    http = signed_in(server, "nadia", PASSWORD)
    page = http.get(server.url("/console/")).text
    refs = re.findall(r'href="/console/demandes/(\d+)"', page)
    assert refs[0] == str(urgent)  # urgent first, then the ones waiting longest
    assert refs[1:] == [str(old), str(sms)]
    assert "2 h 10" in page and "Logement" in page and "Santé" in page
    assert 'aria-current="page">Nouvelles' in page
    filtered = http.get(server.url("/console/?onglet=nouvelles&theme=sante&canal=sms&urgence=")).text
    assert re.findall(r'href="/console/demandes/(\d+)"', filtered) == [str(sms)]
    urgent_only = http.get(server.url("/console/?urgence=urgente")).text
    assert re.findall(r'href="/console/demandes/(\d+)"', urgent_only) == [str(urgent)]
    assert '<label for="theme">Thème</label>' in page
    mine = http.get(server.url("/console/?onglet=miennes")).text
    assert "Aucune demande" in mine


def test_case_page_shows_summary_and_transcript_and_audits_the_view(server, engine):
    case_id = make_case(engine, "conv-view", phone="+33612345678", channel="sms")
    server.rasa.say("conv-view", "user", "je cherche un logement")
    server.rasa.say("conv-view", "bot", "Je peux vous aider à chercher.")
    http = signed_in(server, "nadia", PASSWORD)
    page = http.get(server.url(f"/console/demandes/{case_id}")).text
    for expected in ("trouver un logement", "aides-logement", "logement social", "+33612345678", "le matin",
                     "je cherche un logement", "Je peux vous aider à chercher.", "Sésame (robot)", "Résident",
                     'aria-live="polite"', "Actualiser", "Accord du résident"):
        assert expected in page, expected
    assert _audit(engine, case_id)[0][0] == "consultation"
    assert "+336" not in json.dumps(_audit(engine, case_id))


def test_take_over_pauses_rasa_tells_the_resident_and_records_the_message(server, engine):
    case_id = make_case(engine, "conv-take")
    http = signed_in(server, "nadia", PASSWORD)
    response = _do(http, server, case_id, "prendre")
    assert response.status_code == 303, response.text
    case = _case(engine, case_id)
    assert case.status == "pris_en_charge" and case.paused
    assert [e["event"] for e in server.rasa.events("conv-take")] == ["pause", "bot"]
    notice = "Nadia, du CCAS, vous répond. Le robot Sésame se met en pause."
    assert server.rasa.events("conv-take", "bot")[0]["text"] == notice
    assert server.rasa.events("conv-take", "bot")[0]["metadata"] == {"author": "Nadia"}
    assert _messages(engine, case_id) == [notice]
    assert ("prise_en_charge", case.reference) in _audit(engine, case_id)
    assert "Mes demandes (1)" in http.get(server.url("/console/")).text


def test_take_over_when_rasa_is_down_changes_nothing(server, engine):
    case_id = make_case(engine, "conv-down")
    http = signed_in(server, "nadia", PASSWORD)
    server.rasa.down = True
    response = _do(http, server, case_id, "prendre")
    assert response.status_code == 503 and "Le robot ne répond pas" in response.text
    assert _case(engine, case_id).status == "nouveau"
    assert _messages(engine, case_id) == []


def test_reply_on_an_sms_case_is_recorded_queued_and_added_to_the_transcript(server, engine):
    case_id = make_case(engine, "conv-reply", channel="sms", phone="+33612345678")
    http = signed_in(server, "nadia", PASSWORD)
    assert _do(http, server, case_id, "prendre").status_code == 303
    body = "Bonjour, je regarde votre dossier."
    response = _do(http, server, case_id, "repondre", {"body": body})
    assert response.status_code == 303
    assert body in _messages(engine, case_id)
    with session_scope(engine) as session:
        outbox = list(session.scalars(select(Notification).where(Notification.kind == "handoff_message")))
    assert [n.body for n in outbox][-1] == body and outbox[-1].channel == "sms"
    assert outbox[-1].recipient == "+33612345678"
    assert server.rasa.events("conv-reply", "bot")[-1] == {
        "event": "bot", "text": body, "metadata": {"author": "Nadia"},
        "timestamp": server.rasa.events("conv-reply", "bot")[-1]["timestamp"]}
    actions = _audit(engine, case_id)
    assert ("reponse", f"réponse de {len(body)} caractères") in actions
    assert body not in json.dumps(actions, ensure_ascii=False)


def test_empty_or_too_long_replies_are_refused_kindly(server, engine):
    case_id = make_case(engine, "conv-long")
    http = signed_in(server, "nadia", PASSWORD)
    _do(http, server, case_id, "prendre")
    before = len(_messages(engine, case_id))
    empty = _do(http, server, case_id, "repondre", {"body": "   "})
    assert empty.status_code == 400 and "Votre message est vide" in empty.text
    long = _do(http, server, case_id, "repondre", {"body": "a" * 1001})
    assert long.status_code == 400 and "Le maximum est 1000" in long.text
    assert "a" * 1001 in long.text  # the text typed is kept in the form
    assert len(_messages(engine, case_id)) == before


def test_canned_reply_is_sent(server, engine):
    case_id = make_case(engine, "conv-canned")
    http = signed_in(server, "nadia", PASSWORD)
    _do(http, server, case_id, "prendre")
    assert _do(http, server, case_id, "repondre", {"canned": "appel"}).status_code == 303
    assert _messages(engine, case_id)[-1].startswith("Je peux vous appeler.")
    assert ("reponse", "réponse type appel") in _audit(engine, case_id)


def test_reply_needs_the_case_taken_first(server, engine):
    case_id = make_case(engine, "conv-untaken")
    http = signed_in(server, "nadia", PASSWORD)
    response = _do(http, server, case_id, "repondre", {"body": "bonjour"})
    assert response.status_code == 409
    assert _messages(engine, case_id) == []


def test_a_note_stays_private(server, engine):
    case_id = make_case(engine, "conv-note")
    http = signed_in(server, "nadia", PASSWORD)
    assert _do(http, server, case_id, "note", {"note": "Rappeler après 14 h"}).status_code == 303
    with session_scope(engine) as session:
        assert [n.body for n in session.scalars(select(CaseNote))] == ["Rappeler après 14 h"]
    assert _messages(engine, case_id) == []
    assert server.rasa.events("conv-note") == []
    assert "Rappeler après 14 h" in http.get(server.url(f"/console/demandes/{case_id}")).text


def test_wait_then_hand_back_resumes_rasa_and_tells_the_resident(server, engine):
    case_id = make_case(engine, "conv-back")
    http = signed_in(server, "nadia", PASSWORD)
    _do(http, server, case_id, "prendre")
    assert _do(http, server, case_id, "attendre").status_code == 303
    assert _case(engine, case_id).status == "attente_resident"
    assert _do(http, server, case_id, "rendre").status_code == 303
    case = _case(engine, case_id)
    assert not case.paused
    assert [e["event"] for e in server.rasa.events("conv-back")] == ["pause", "bot", "resume", "bot"]
    assert server.rasa.events("conv-back", "bot")[-1]["text"] == HAND_BACK_NOTICE
    assert _messages(engine, case_id)[-1] == HAND_BACK_NOTICE
    assert [a for a, _ in _audit(engine, case_id) if a != "consultation"] == [
        "prise_en_charge", "attente_resident", "rendu_au_robot"]


def test_close_with_an_outcome_resumes_the_bot(server, engine):
    case_id = make_case(engine, "conv-close")
    http = signed_in(server, "nadia", PASSWORD)
    _do(http, server, case_id, "prendre")
    bad = _do(http, server, case_id, "fermer", {"outcome": "n-importe-quoi"})
    assert bad.status_code == 400
    assert _do(http, server, case_id, "fermer", {"outcome": "resolu"}).status_code == 303
    case = _case(engine, case_id)
    assert case.status == "clos" and case.outcome == "resolu" and not case.paused
    assert "resume" in [e["event"] for e in server.rasa.events("conv-close")]
    assert ("cloture", f"{case.reference} resolu") in _audit(engine, case_id)
    closed = http.get(server.url("/console/?onglet=closes")).text
    assert f'href="/console/demandes/{case_id}"' in closed


def test_new_messages_json_after_a_timestamp(server, engine):
    case_id = make_case(engine, "conv-poll")
    server.rasa.say("conv-poll", "user", "premier message")
    http = signed_in(server, "nadia", PASSWORD)
    first = http.get(server.url(f"/console/demandes/{case_id}/messages.json?after=0")).json()
    assert [m["text"] for m in first["messages"]] == ["premier message"]
    stamp = first["messages"][-1]["timestamp"]
    server.rasa.say("conv-poll", "user", "deuxième message")
    server.rasa.say("conv-poll", "user", "/payload_de_bouton")
    later = http.get(server.url(f"/console/demandes/{case_id}/messages.json?after={stamp}")).json()
    assert [m["text"] for m in later["messages"]] == ["deuxième message"]
    assert later["messages"][0]["author"] == "Résident"
    assert http.get(server.url(f"/console/demandes/{case_id}/messages.json?after=x")).status_code == 400


def test_a_missing_case_is_404(server):
    http = signed_in(server, "nadia", PASSWORD)
    assert http.get(server.url("/console/demandes/999")).status_code == 404

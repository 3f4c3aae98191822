"""A person, always: the handoff over the real stack (Rasa, action server, web server, worker).

A resident asks for a person over REST, consents and gives a phone; the case is in the app
database with its consent. A conseiller's take-over pauses the bot (Rasa's ConversationPaused):
the resident's messages are kept without a bot reply, an urgent one still gets its number at
once and flags the case; the conseiller's reply reaches the web chat's delivery endpoint; after
hand-back the bot answers again. Refusing consent creates nothing and gives a way to call.
"""
from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from actions.common.db import make_engine, session_scope
from actions.handoff import cases, delivery
from actions.handoff.models import Case, Consent

pytestmark = [pytest.mark.e2e, pytest.mark.rasa]


def texts(replies: list[dict]) -> str:
    return "\n".join(r.get("text", "") for r in replies)


def new_sender() -> str:
    return "e2e-handoff-" + uuid.uuid4().hex[:8]


@pytest.fixture(scope="module")
def app_db(sesame_stack):
    engine = make_engine(sesame_stack.env()["DATABASE_URL"])
    yield engine
    engine.dispose()


def rasa_events(stack, sender: str, events: list[dict]) -> None:
    request = urllib.request.Request(
        f"{stack.rasa_url}/conversations/{sender}/tracker/events?token={stack.token}",
        data=json.dumps(events).encode(), headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200


def web_messages(stack, sender: str, after: int = 0) -> dict:
    with urllib.request.urlopen(f"{stack.web_url}/chat/messages?conversation={sender}&after={after}",
                                timeout=10) as response:
        return json.loads(response.read())


def case_of(engine, sender: str) -> Case | None:
    with session_scope(engine) as session:
        return session.scalars(select(Case).where(Case.conversation_id == sender)).first()


def ask_for_a_person_and_consent(stack, sender: str) -> str:
    consent = texts(stack.say(sender, "je veux qu'un conseiller me rappelle"))
    assert "Êtes-vous d'accord" in consent and "résumé" in consent
    assert "Comment voulez-vous" in texts(stack.say(sender, "oui"))
    assert "numéro de téléphone" in texts(stack.say(sender, "par telephone"))
    assert "Quand êtes-vous disponible" in texts(stack.say(sender, "06 12 34 56 78"))
    return texts(stack.say(sender, "le matin"))


def test_a_resident_who_asks_for_a_person_gets_a_case_and_an_honest_promise(sesame_stack, app_db) -> None:
    sender = new_sender()
    sesame_stack.say(sender, "la caf m'a coupé le rsa")
    done = ask_for_a_person_and_consent(sesame_stack, sender)
    assert "C'est transmis" in done and "au plus tard" in done and "06 12 34 56 78" in done
    case = case_of(app_db, sender)
    assert case is not None and case.reference in done
    assert (case.status, case.contact_mode, case.phone, case.availability) == (
        cases.NEW, "telephone", "+33612345678", "le matin")
    summary = cases.summary_of(case)
    assert "la caf m'a coupé le rsa" in summary["last_messages"]
    assert not any("06 12" in m for m in summary["last_messages"])  # the phone is in its field only
    with session_scope(app_db) as session:
        consent = session.scalars(select(Consent).where(Consent.conversation_id == sender)).one()
        assert consent.case_id == case.id and consent.scope == cases.CONSENT_SCOPE
    # asking again does not create a second case
    again = texts(sesame_stack.say(sender, "je veux parler a quelqu'un"))
    assert "déjà transmise" in again and case.reference in again
    with session_scope(app_db) as session:
        assert len(session.scalars(select(Case).where(Case.conversation_id == sender)).all()) == 1


def test_no_consent_creates_nothing_and_still_gives_a_way_to_reach_someone(sesame_stack, app_db) -> None:
    sender = new_sender()
    sesame_stack.say(sender, "passez moi un humain")
    refused = texts(sesame_stack.say(sender, "non"))
    assert "je ne transmets rien" in refused
    assert "chambery.fr" in refused or "04 " in refused  # a sourced way to reach a person
    assert case_of(app_db, sender) is None


def test_a_person_is_reached_from_inside_a_booking(sesame_stack) -> None:
    sender = new_sender()
    sesame_stack.say(sender, "je voudrais un rdv pour apprendre a envoyer un mail")
    assert "Êtes-vous d'accord" in texts(sesame_stack.say(sender, "je prefere parler a une vraie personne"))


def test_two_misunderstandings_lead_to_a_person(sesame_stack) -> None:
    sender = new_sender()
    sesame_stack.say(sender, "wxqz jjkl")
    second = texts(sesame_stack.say(sender, "vbnvbn xwxw"))
    assert "Êtes-vous d'accord" in second


def test_while_a_person_answers_the_bot_is_silent_urgent_still_answered_and_the_reply_arrives(
        sesame_stack, app_db) -> None:
    sender = new_sender()
    texts(sesame_stack.say(sender, "je voudrais parler a une personne"))
    sesame_stack.say(sender, "oui")
    assert "C'est transmis" in texts(sesame_stack.say(sender, "continuer ici"))
    case = case_of(app_db, sender)
    assert case is not None and case.channel == "rest"
    now = datetime.now(timezone.utc)
    with session_scope(app_db) as session:
        from actions.handoff.accounts import create_user

        user = create_user(session, f"nadia-{sender[-8:]}", "Nadia", "un mot de passe long", "conseiller", now)
        cases.take_over(session, case.id, user, now)
        delivery.send_to_resident(session, cases.get_case(session, case.id), "Nadia",
                                  "Bonjour, je suis Nadia, du CCAS. Je lis votre demande.", now)
    rasa_events(sesame_stack, sender, [{"event": "pause"}])

    assert sesame_stack.say(sender, "merci, j'attends") == []  # no bot reply, no apology: Nadia answers
    urgent = texts(sesame_stack.say(sender, "je veux me suicider"))
    assert "3114" in urgent and "114" in urgent
    assert case_of(app_db, sender).urgency == "urgente"

    body = web_messages(sesame_stack, sender)
    assert body["case"]["person_answering"] and body["case"]["agent"] == "Nadia, du CCAS"
    assert [m["text"] for m in body["messages"]] == ["Bonjour, je suis Nadia, du CCAS. Je lis votre demande."]
    assert web_messages(sesame_stack, sender, after=body["messages"][-1]["id"])["messages"] == []

    with session_scope(app_db) as session:
        cases.hand_back(session, case.id, datetime.now(timezone.utc))
    rasa_events(sesame_stack, sender, [{"event": "resume"}])
    assert "Sésame" in texts(sesame_stack.say(sender, "bonjour"))


def test_the_web_endpoint_refuses_bad_input_with_a_4xx(sesame_stack) -> None:
    for query in ("", "?conversation=", "?conversation=x&after=abc", "?conversation=" + "x" * 200):
        try:
            urllib.request.urlopen(f"{sesame_stack.web_url}/chat/messages{query}", timeout=10)
            raise AssertionError(f"{query!r} was accepted")
        except urllib.error.HTTPError as exc:
            assert exc.code == 400
    assert web_messages(sesame_stack, "nobody")["case"] is None

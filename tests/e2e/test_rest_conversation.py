"""A real conversation over the REST channel, through the real Rasa and action servers."""
from __future__ import annotations

import uuid

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.rasa]


def texts(replies: list[dict]) -> str:
    return "\n".join(reply.get("text", "") for reply in replies)


def new_sender() -> str:
    return f"e2e-{uuid.uuid4().hex[:8]}"


def test_greeting_offers_a_numbered_menu_with_real_buttons(sesame_stack) -> None:
    replies = sesame_stack.say(new_sender(), "bonjour")
    assert "Sésame" in texts(replies)
    buttons = [b["payload"] for r in replies for b in r.get("buttons", [])]
    assert "/ask_human" in buttons and len(buttons) == 4


def test_an_urgent_message_gets_the_right_number_first(sesame_stack) -> None:
    sender = new_sender()
    sesame_stack.say(sender, "salut")
    replies = sesame_stack.say(sender, "je dors dehors ce soir jai nul part ou aller")
    assert "115" in texts(replies)
    replies = sesame_stack.say(sender, "mon copain me frappe jai peur")
    assert "3919" in texts(replies) and "17" in texts(replies)


def test_asking_for_a_person_starts_the_handoff_with_its_consent_question(sesame_stack) -> None:
    replies = sesame_stack.say(new_sender(), "je veux parler a une vraie personne")
    assert "Êtes-vous d'accord" in texts(replies)
    assert [b["payload"] for b in replies[-1].get("buttons", [])] == ["oui", "non"]


def test_not_understood_twice_leads_to_a_person_not_a_dead_end(sesame_stack) -> None:
    """Keyboard noise with no word in it; a sigh such as "pfff" is understood (the menu)."""
    sender = new_sender()
    first = texts(sesame_stack.say(sender, "wxqz jjkl"))
    assert "autrement" in first
    second = texts(sesame_stack.say(sender, "vbnvbn xwxw"))
    assert "Je n'arrive pas à vous comprendre" in second and "Êtes-vous d'accord" in second


@pytest.mark.parametrize("sigh", ["pfff", "grrr", "bof"])
def test_a_sigh_alone_gets_the_menu_not_goodbye(sesame_stack, sigh) -> None:
    """A stressed resident who only sighs must not be told "au revoir"."""
    replies = texts(sesame_stack.say(new_sender(), sigh))
    assert "Je peux vous aider pour" in replies
    assert "Au revoir" not in replies


def test_the_conversation_survives_a_restart_of_the_rasa_server(sesame_stack) -> None:
    """Conversations live in the SQLite tracker store, not in memory."""
    import json
    import urllib.request

    sender = new_sender()
    sesame_stack.say(sender, "bonjour")
    url = f"{sesame_stack.rasa_url}/conversations/{sender}/tracker?token={sesame_stack.token}"
    with urllib.request.urlopen(url) as response:
        events = json.loads(response.read())["events"]
    assert any(e.get("event") == "user" for e in events)
    tracker_db = sesame_stack.var_dir / "tracker.db"
    assert tracker_db.exists() and tracker_db.stat().st_size > 0


def test_a_crashed_action_server_still_gets_the_resident_a_kind_answer(sesame_stack) -> None:
    sender = new_sender()
    sesame_stack.kill("actions")
    try:
        replies = sesame_stack.say(sender, "je veux parler a une vraie personne")
        answer = texts(replies)
        assert "Désolé, je n'ai pas pu répondre" in answer
        assert "Une personne peut vous aider" in answer
    finally:
        sesame_stack.restart("actions")
    replies = sesame_stack.say(sender, "je veux parler a une vraie personne")
    assert "Désolé" not in texts(replies)


@pytest.mark.parametrize("body", [b"[]", b"not json", b'{"sender": "x"}', b'{"sender": "x", "message": 3}',
                                  b'"texte"', b'{"sender": ["a"], "message": "bonjour"}'])
def test_a_malformed_body_gets_a_400_never_a_500(sesame_stack, body) -> None:
    import urllib.error
    import urllib.request

    request = urllib.request.Request(f"{sesame_stack.rasa_url}/webhooks/rest/webhook", data=body,
                                     headers={"Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 400


def test_the_action_server_listens_on_this_machine_only(sesame_stack) -> None:
    import subprocess

    listening = subprocess.run(["ss", "-ltnH"], capture_output=True, text=True).stdout
    lines = [line for line in listening.splitlines() if f":{sesame_stack.actions_port} " in line + " "]
    assert lines and all("127.0.0.1:" in line for line in lines), lines

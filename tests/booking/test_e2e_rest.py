"""A whole booking, then its cancellation, through the running Rasa and action servers over REST."""
from __future__ import annotations

import re
import urllib.error
import urllib.request
import uuid

import pytest

from tests.booking.e2e_offers import first_offer_after_today

pytestmark = [pytest.mark.e2e, pytest.mark.rasa]


def texts(replies: list[dict]) -> str:
    return "\n".join(reply.get("text", "") for reply in replies)


def buttons(replies: list[dict]) -> list[dict]:
    return [b for r in replies for b in r.get("buttons", [])]


def test_book_then_cancel_over_rest(sesame_stack) -> None:
    sender = f"e2e-booking-{uuid.uuid4().hex[:8]}"
    replies = sesame_stack.say(sender, "je voudrais un rdv pour apprendre a envoyer un mail")
    assert "Où voulez-vous aller" in texts(replies)
    replies = sesame_stack.say(sender, "peu importe")
    offers = buttons(replies)
    assert len(offers) >= 2 and offers[-1]["payload"] == "un autre jour"
    offer = first_offer_after_today(lambda text: sesame_stack.say(sender, text), replies)  # cancellable
    replies = sesame_stack.say(sender, offer["payload"])
    assert "prénom" in texts(replies)
    replies = sesame_stack.say(sender, "Nadia")
    assert "portable" in texts(replies)
    replies = sesame_stack.say(sender, "06 12 34")
    assert "06 ou 07" in texts(replies)
    replies = sesame_stack.say(sender, "06 12 34 56 78")
    assert "Nadia" in texts(replies) and "06 12 34 56 78" in texts(replies)
    replies = sesame_stack.say(sender, "oui")
    found = re.search(r"référence : ([2-9A-HJ-NP-Z]{6})", texts(replies))
    assert found, texts(replies)
    reference = found.group(1)
    link = re.search(r"(http://\S+/rdv/\S+\.ics)", texts(replies))
    assert link, "web residents get a link to add the appointment to their calendar"
    with urllib.request.urlopen(link.group(1), timeout=10) as response:
        calendar = response.read().decode()
    assert response.headers["Content-Type"].startswith("text/calendar")
    assert "BEGIN:VEVENT" in calendar and reference in calendar

    replies = sesame_stack.say(sender, "je veux annuler mon rendez-vous")
    assert "référence" in texts(replies)
    replies = sesame_stack.say(sender, reference)
    assert "Voulez-vous annuler" in texts(replies)
    replies = sesame_stack.say(sender, "oui")
    assert "J'ai annulé votre rendez-vous" in texts(replies)
    with pytest.raises(urllib.error.HTTPError) as gone:
        urllib.request.urlopen(link.group(1), timeout=10)
    assert gone.value.code == 404

"""A booking, then moving it to another time, through the running Rasa and action servers over REST."""
from __future__ import annotations

import re
import uuid

import pytest

from tests.booking.e2e_offers import first_offer_after_today

pytestmark = [pytest.mark.e2e, pytest.mark.rasa]


def texts(replies: list[dict]) -> str:
    return "\n".join(reply.get("text", "") for reply in replies)


def buttons(replies: list[dict]) -> list[dict]:
    return [b for r in replies for b in r.get("buttons", [])]


def test_book_then_move_over_rest(sesame_stack) -> None:
    sender = f"e2e-move-{uuid.uuid4().hex[:8]}"
    sesame_stack.say(sender, "je voudrais un rdv pour apprendre a envoyer un mail")
    replies = sesame_stack.say(sender, "peu importe")
    offer = first_offer_after_today(lambda text: sesame_stack.say(sender, text), replies)  # movable
    sesame_stack.say(sender, offer["payload"])
    sesame_stack.say(sender, "Nadia")
    sesame_stack.say(sender, "06 12 34 56 78")
    replies = sesame_stack.say(sender, "oui")
    found = re.search(r"référence : ([2-9A-HJ-NP-Z]{6})", texts(replies))
    assert found, texts(replies)
    reference = found.group(1)

    replies = sesame_stack.say(sender, "je voudrais décaler mon rendez-vous")
    assert "référence" in texts(replies), texts(replies)
    replies = sesame_stack.say(sender, reference)
    assert "J'ai trouvé votre rendez-vous" in texts(replies), texts(replies)
    offers = buttons(replies)
    assert len(offers) >= 2 and offers[-1]["payload"] == "un autre jour"
    # A later day again, so that the moved appointment can still be cancelled below.
    offer = first_offer_after_today(lambda text: sesame_stack.say(sender, text), replies)
    replies = sesame_stack.say(sender, offer["payload"])
    assert "Avant" in texts(replies) and reference in texts(replies), texts(replies)
    replies = sesame_stack.say(sender, "oui")
    assert "C'est fait" in texts(replies) and reference in texts(replies), texts(replies)

    replies = sesame_stack.say(sender, "je veux annuler mon rendez-vous")
    replies = sesame_stack.say(sender, reference)
    assert "Voulez-vous annuler" in texts(replies), "the moved appointment is still found by its reference"

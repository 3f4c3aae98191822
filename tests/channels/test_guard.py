"""The never-silent guard: every turn ends with at least one message for the resident."""
from __future__ import annotations

import asyncio
import logging

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from bot.channels.guard import never_silent


def run_turn(handler, sender: str = "+33612345678") -> list[dict]:
    collector = CollectingOutputChannel()
    asyncio.run(never_silent(handler)(UserMessage("je veux un rdv", collector, sender)))
    return collector.messages


def test_a_turn_that_answers_is_left_alone() -> None:
    async def answers(message: UserMessage) -> None:
        await message.output_channel.send_text_message(message.sender_id, "Bonjour")

    assert [m["text"] for m in run_turn(answers)] == ["Bonjour"]


def test_a_silent_turn_gets_an_apology_and_a_way_to_a_person() -> None:
    async def silent(message: UserMessage) -> None:
        return None

    [reply] = run_turn(silent)
    assert "Désolé, je n'ai pas pu répondre" in reply["text"]
    assert "Une personne peut vous aider" in reply["text"]


def test_a_crashing_turn_gets_an_answer_and_logs_no_personal_data(caplog) -> None:
    async def crashes(message: UserMessage) -> None:
        raise RuntimeError("database is down")

    with caplog.at_level(logging.INFO):
        [reply] = run_turn(crashes)
    assert "Désolé" in reply["text"]
    assert "+33612345678" not in caplog.text and "je veux un rdv" not in caplog.text

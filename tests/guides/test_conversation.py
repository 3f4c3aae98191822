"""The guided conversation as a resident lives it, without Rasa: entry, next, repeat,
simpler, papers, a jargon word, and the hand-over at the end."""
from __future__ import annotations

import pytest

from actions.common.reply import Reply
from actions.guides import conversation as conv
from actions.guides.library import catalogue_services, load_glossary, load_library
from tools.domain import load_domain

LIBRARY = load_library()
NAMES = catalogue_services()
GLOSSARY = load_glossary()


def walk_to_end(guide_id: str) -> list[Reply]:
    replies = [conv.start("", guide_id, LIBRARY, NAMES)]
    while replies[-1].messages[0].response != conv.RESPONSE_END:
        replies.append(conv.advance(*conv.state(replies[-1]), LIBRARY, NAMES))
        assert len(replies) < 20, "a guide must end"
    return replies


@pytest.mark.parametrize("guide_id", sorted(LIBRARY))
def test_each_guide_can_be_walked_from_entry_to_hand_over(guide_id: str) -> None:
    replies = walk_to_end(guide_id)
    assert replies[0].messages[0].response == conv.RESPONSE_PAGE and conv.state(replies[0])[1] == 0
    assert [conv.state(r)[1] for r in replies] == list(range(len(replies)))
    assert len(replies) == len(LIBRARY[guide_id].steps) + 3
    assert "décide" in replies[-1].messages[0].variables["page"]


def test_repeat_and_simpler_keep_the_resident_where_they_are() -> None:
    entry = conv.start("comment avoir le rsa", None, LIBRARY, NAMES)
    step = conv.advance(*conv.state(entry), LIBRARY, NAMES)
    step = conv.advance(*conv.state(step), LIBRARY, NAMES)
    again = conv.repeat(*conv.state(step), LIBRARY, NAMES)
    easier = conv.simplify(*conv.state(step), LIBRARY, NAMES)
    assert again.messages[0].variables == step.messages[0].variables and conv.state(again)[1] == conv.state(step)[1]
    assert conv.state(easier)[1] == conv.state(step)[1]
    assert easier.messages[0].variables["page"] == LIBRARY["rsa"].steps[0].simpler


def test_papers_come_as_one_message_with_an_sms_version() -> None:
    reply = conv.documents("aides-logement", 3, LIBRARY)
    assert reply.messages[0].response == conv.RESPONSE_DOCUMENTS and conv.state(reply)[1] == 3
    assert "Votre bail" in reply.messages[0].variables["documents"]
    assert all(c not in reply.messages[0].variables["documents_sms"] for c in "êçô’")


def test_explaining_a_word_keeps_the_guide_open_and_offers_its_guide() -> None:
    reply = conv.explain_word("c'est quoi l'APL", None, GLOSSARY, LIBRARY, "fsl-loyer", 4)
    assert reply.messages[0].response == conv.RESPONSE_EXPLAIN
    assert "loyer" in reply.messages[0].variables["explanation"]
    assert conv.state(reply)[0] == "fsl-loyer" and conv.state(reply)[1] == 4
    assert list(reply.messages[0].buttons) == [conv.guide_button(LIBRARY["aides-logement"])]


def test_an_unknown_word_sends_to_a_person() -> None:
    reply = conv.explain_word("c'est quoi le bidulotron", None, GLOSSARY, LIBRARY, None, None)
    assert reply.messages[0].response == conv.RESPONSE_EXPLAIN_UNKNOWN


def test_two_competing_guides_give_one_question_with_buttons() -> None:
    reply = conv.start("ma mutuelle coute trop cher", None, LIBRARY, NAMES)
    assert reply.messages[0].response == conv.RESPONSE_CHOOSE
    payloads = {b["payload"] for b in reply.messages[0].buttons}
    assert payloads == {
        '/ask_guide{"guide":"complementaire-sante-solidaire"}',
        '/ask_guide{"guide":"mutuelle-communale"}',
    }
    chosen = conv.start("", "mutuelle-communale", LIBRARY, NAMES)
    assert conv.state(chosen)[0] == "mutuelle-communale" and conv.state(chosen)[1] == 0


def test_without_an_open_guide_next_and_papers_show_the_topics() -> None:
    assert conv.advance(None, None, LIBRARY, NAMES).messages[0].response == conv.RESPONSE_TOPICS
    assert conv.documents(None, None, LIBRARY).messages[0].response == conv.RESPONSE_TOPICS
    assert conv.start("bonjour", None, LIBRARY, NAMES).messages[0].response == conv.RESPONSE_TOPICS


def test_every_response_and_action_the_guides_use_is_in_the_domain() -> None:

    from rasa_sdk import Action

    import actions.guides.actions as guide_actions

    domain = load_domain()
    used = {v for k, v in vars(conv).items() if k.startswith("RESPONSE_")} | {guide_actions.ERROR_RESPONSE}
    assert used <= set(domain["responses"])
    names = {
        cls().name() for cls in vars(guide_actions).values()
        if isinstance(cls, type) and issubclass(cls, Action) and cls.__module__ == guide_actions.__name__
        and not getattr(cls, "__abstractmethods__", None)
    }
    assert names == {a for a in domain["actions"] if a.startswith("action_guide_")}

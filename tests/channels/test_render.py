"""The one rendering layer: what a resident sees on SMS, Telegram and the web."""
from __future__ import annotations

from messaging import gsm7
from bot.channels.render import (
    BotMessage,
    Choice,
    callback_id,
    choice_prompt,
    from_rasa,
    render_sms,
    render_telegram,
    render_web,
    resolve_choice,
)

MENU = (
    Choice("Trouver un service", "/search_service"),
    Choice("Comprendre mes droits", "/ask_rights"),
    Choice("Aide au numérique", "/book_appointment"),
)


def test_from_rasa_reads_buttons_and_quick_replies_and_drops_titleless_ones() -> None:
    msg = from_rasa({"text": " Bonjour ", "buttons": [{"title": "Oui", "payload": "/affirm"}, {"payload": "/x"}]})
    assert msg == BotMessage("Bonjour", (Choice("Oui", "/affirm"),))
    assert from_rasa({"text": "A", "quick_replies": [{"title": "B", "payload": "/b"}]}).choices == (
        Choice("B", "/b"),
    )


def test_choice_prompt_reads_naturally() -> None:
    assert choice_prompt(1) == "Répondez 1."
    assert choice_prompt(2) == "Répondez 1 ou 2."
    assert choice_prompt(3) == "Répondez 1, 2 ou 3."


def test_sms_numbers_the_buttons_and_never_shows_a_payload() -> None:
    reply = render_sms([BotMessage("Que voulez-vous faire ?", MENU)])
    assert reply.parts == (
        "Que voulez-vous faire ?\n1. Trouver un service\n2. Comprendre mes droits\n"
        "3. Aide au numérique\nRépondez 1, 2 ou 3.",
    )
    assert reply.choices == MENU
    assert "/" not in "".join(reply.parts)


def test_sms_joins_a_turn_and_numbers_only_the_last_question() -> None:
    reply = render_sms([
        BotMessage("Premier choix ?", (Choice("A", "/a"),)),
        BotMessage("Dernière question ?", (Choice("Oui", "/affirm"), Choice("Non", "/deny"))),
    ])
    assert reply.parts == ("Premier choix ?\nDernière question ?\n1. Oui\n2. Non\nRépondez 1 ou 2.",)
    assert [c.payload for c in reply.choices] == ["/affirm", "/deny"]


def test_sms_is_gsm7_and_markdown_free() -> None:
    reply = render_sms([BotMessage("L’**accueil** est là : [le site](https://www.chambery.fr) « ici »")])
    assert reply.parts == ('L\'accueil est là : le site : https://www.chambery.fr "ici"',)
    assert all(gsm7.is_gsm7(p) for p in reply.parts)


def test_long_sms_reply_stays_within_two_segments_per_message() -> None:
    text = " ".join(["Vous pouvez venir au guichet avec vos papiers et un justificatif."] * 10)
    reply = render_sms([BotMessage(text, MENU)])
    assert len(reply.parts) >= 2
    assert all(gsm7.segment_info(p).segments <= 2 for p in reply.parts)
    assert reply.parts[-1].endswith("Répondez 1, 2 ou 3.")


def test_numbered_answers_map_to_the_last_question() -> None:
    assert resolve_choice("2", MENU) == MENU[1]
    assert resolve_choice(" 3. ", MENU) == MENU[2]
    assert resolve_choice("le 1", MENU) == MENU[0]
    assert resolve_choice("deux", MENU) == MENU[1]
    assert resolve_choice("aide au numerique", MENU) == MENU[2]
    assert resolve_choice("4", MENU) is None
    assert resolve_choice("2 enfants a charge", MENU) is None
    assert resolve_choice("2", ()) is None


def test_telegram_keyboard_uses_short_registered_ids() -> None:
    long_payload = '/book_appointment{"service":"' + "x" * 200 + '"}'
    registered: dict[str, str] = {}
    out = render_telegram(
        BotMessage("Choisissez", (Choice("Oui", "/affirm"), Choice("Long", long_payload))),
        registered.__setitem__,
    )
    assert out.text == "Choisissez"
    ids = [row[0][1] for row in out.keyboard]
    assert [row[0][0] for row in out.keyboard] == ["Oui", "Long"]
    assert all(len(i.encode()) <= 64 for i in ids)
    assert registered == {ids[0]: "/affirm", ids[1]: long_payload}
    assert callback_id("/affirm") == ids[0]
    assert callback_id("/deny") != ids[0]


def test_web_keeps_buttons() -> None:
    assert render_web(BotMessage("Bonjour", MENU[:1])) == {
        "text": "Bonjour",
        "buttons": [{"title": "Trouver un service", "payload": "/search_service"}],
    }


def test_telegram_long_text_is_cut_between_words_with_the_keyboard_kept() -> None:
    text = " ".join(["mot"] * 2000)  # 7999 characters
    out = render_telegram(BotMessage(text, MENU[:1]), lambda _i, _p: None)
    parts = out.parts
    assert len(parts) == 2 and all(len(p) <= 4096 for p in parts)
    assert " ".join(parts) == text
    assert out.keyboard

"""The second check before a crisis answer: words that name an emergency, and figures of speech."""
from __future__ import annotations

import pytest

from bot.nlu.crisis_cues import cannot_speak, families_in
from bot.nlu.urgent_check import checked_ranking


@pytest.mark.parametrize("text,family", [
    ("je dors dehors ce soir avec mes enfants", "urgent_shelter"),
    ("on m'a mis a la porte, je sais pas ou dormir", "urgent_shelter"),
    ("mon mari me frappe", "urgent_violence"),
    ("mon copain m'a frappé hier et j'ai peur de mon copain", "urgent_violence"),
    ("le voisin frappe son fils tous les soirs", "urgent_child"),
    ("je veux en finir", "urgent_suicide"),
    ("jveu mourir", "urgent_suicide"),
    ("je pense à me suicider", "urgent_suicide"),
    ("mon bébé ne respire plus", "urgent_medical"),
    ("ma mère a fait un malaise et ne se réveille pas", "urgent_medical"),
])
def test_an_emergency_in_residents_words_is_recognised(text, family):
    assert family in families_in(text)


@pytest.mark.parametrize("text", [
    "ça me tue d'attendre la CAF", "je suis mort de fatigue", "je craque avec ces papiers",
    "je veux en finir avec ces papiers", "mon père reste à la maison et adore lire",
    "je suis handicapée et les démarches en ligne c'est dur", "je suis au chômage depuis deux ans",
    "je vais être papa et je suis perdu", "je me sens seule depuis que mon mari est parti",
    "on va mourir de rire", "je me noie dans les factures",
])
def test_figures_of_speech_and_hard_lives_are_not_emergencies(text):
    assert families_in(text) == set()


def test_someone_who_cannot_speak_is_recognised():
    assert cannot_speak("je suis sourde") and cannot_speak("je ne peux pas parler")
    assert not cannot_speak("je veux parler à quelqu'un")


def ranking(*pairs):
    return [{"name": name, "confidence": confidence} for name, confidence in pairs]


def test_a_crisis_intent_without_crisis_words_is_replaced_by_the_ordinary_one():
    checked, what = checked_ranking("je suis perdue avec mon dossier",
                                    ranking(("urgent_suicide", 0.5), ("ask_guide", 0.3), ("greet", 0.2)))
    assert what == "demoted" and checked[0]["name"] == "ask_guide"


def test_a_figure_of_speech_is_never_a_crisis_even_when_diet_is_sure():
    checked, what = checked_ranking("ça me tue d'attendre la CAF",
                                    ranking(("urgent_suicide", 0.97), ("ask_guide", 0.02), ("greet", 0.01)))
    assert what == "demoted" and checked[0]["name"] == "ask_guide"


def test_when_diet_is_sure_and_nothing_is_figurative_the_emergency_stands():
    original = ranking(("urgent_violence", 0.95), ("ask_human", 0.03))
    assert checked_ranking("il est violent avec moi", original) == (original, "kept")


def test_diets_kind_of_emergency_stands_when_the_words_confirm_an_emergency():
    original = ranking(("urgent_child", 0.6), ("urgent_medical", 0.35), ("greet", 0.05))
    assert checked_ranking("mon bébé ne respire plus", original) == (original, "kept")


def test_an_emergency_diet_hesitated_on_is_answered_as_one():
    checked, what = checked_ranking("je dors dehors ce soir",
                                    ranking(("search_service", 0.5), ("urgent_shelter", 0.45), ("greet", 0.05)))
    assert what == "promoted" and checked[0]["name"] == "urgent_shelter"
    assert checked[1]["confidence"] <= checked[0]["confidence"] - 0.2


def test_an_ordinary_message_is_left_as_diet_said():
    original = ranking(("ask_guide", 0.9), ("urgent_shelter", 0.05))
    assert checked_ranking("comment avoir le rsa", original) == (original, "kept")


def test_the_words_of_an_emergency_are_told_to_the_actions_but_never_a_figure_of_speech() -> None:
    from rasa.shared.nlu.training_data.message import Message

    from bot.nlu.urgent_check import CRISIS_WORDS, UrgentCheck

    check = UrgentCheck({})
    ranking = [{"name": "search_service", "confidence": 0.7}, {"name": "ask_rights", "confidence": 0.2}]
    said = Message(data={"text": "mon mari me frappe, je cherche un endroit", "intent_ranking": ranking,
                         "intent": ranking[0]})
    figure = Message(data={"text": "ce dossier me tue, je cherche de l'aide", "intent_ranking": ranking,
                           "intent": ranking[0]})
    check.process([said, figure])
    assert said.get(CRISIS_WORDS) == ["urgent_violence"]
    assert figure.get(CRISIS_WORDS) is None


def test_diet_fairly_sure_of_an_emergency_the_words_do_not_name_is_not_a_crisis_line() -> None:
    checked, what = checked_ranking("je suis perdue depuis que je suis enceinte",
                                    ranking(("urgent_child", 0.9), ("ask_guide", 0.08), ("greet", 0.02)))
    assert what == "demoted" and checked[0]["name"] == "ask_guide"


def test_a_booking_reference_alone_is_never_read_as_an_emergency() -> None:
    for code in ("B3TR9Z", " q4t8wm ", "H2PZ6K"):
        checked, what = checked_ranking(code, ranking(("urgent_shelter", 0.99), ("give_reference", 0.01)))
        assert what == "demoted" and checked[0]["name"] == "give_reference"


def test_an_emergency_the_words_name_is_answered_wherever_diet_ranked_it() -> None:
    checked, what = checked_ranking("mon bébé ne respire plus",
                                    ranking(("ask_guide", 0.7), ("greet", 0.2), ("search_service", 0.1)))
    assert what == "promoted" and checked[0]["name"] == "urgent_medical"
    assert all(item["confidence"] <= checked[0]["confidence"] - 0.2 for item in checked[1:])


@pytest.mark.parametrize("text,family", [
    ("jsuis dehors avec mon fils et il fait super froid", "urgent_shelter"),
    ("on sait pas ou dormir ce soir", "urgent_shelter"),
    ("il m a encore frappee hier soir", "urgent_violence"),
    ("mon conjoint me menace avec un couteau", "urgent_violence"),
    ("la voisine laisse son bebe seul toute la nuit", "urgent_child"),
    ("j ai 13 ans et ma mere me frappe", "urgent_child"),
    ("je veux plus vivre", "urgent_suicide"),
    ("je pense a me jeter sous un train", "urgent_suicide"),
    ("mon pere a mal a la poitrine et au bras gauche", "urgent_medical"),
    ("ma fille a bu de la javel", "urgent_medical"),
])
def test_emergencies_in_sms_spelling_are_recognised(text, family) -> None:
    assert family in families_in(text)


@pytest.mark.parametrize("text", [
    "mon ordi est mort, je peux pas faire ma declaration", "je suis a la rue niveau budget ce mois ci",
    "mon proprio me menace d'expulsion pour les loyers", "mon mari a fait un AVC l'an dernier, quelles aides ?",
    "je me bats contre la CAF depuis des mois", "mon patron m'a vire hier, comment toucher le chomage",
    "je vis dans ma voiture, ou recevoir mon courrier ?", "ce site me tue, impossible de me connecter",
    "je vais accoucher en mars et je suis seule", "mon fils de 15 ans s'enferme dans sa chambre",
])
def test_hard_lives_and_figures_of_speech_name_no_emergency(text) -> None:
    assert families_in(text) == set()

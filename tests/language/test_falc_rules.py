"""The linter itself: each rule fires on a text that breaks it, and only then."""
from __future__ import annotations

from actions.guides.falc import check_text, readability, split_sentences


def rules(text: str, known: tuple[str, ...] = ()) -> set[str]:
    return {p.rule for p in check_text(text, known).problems}


def test_the_issue_reference_sentences_score_as_documented() -> None:
    hard = "La mutuelle communale de Chambéry permet aux habitants de bénéficier d'une complémentaire santé à tarif négocié."
    easy = "Vous dormez dehors ce soir ? Appelez le 115. C'est gratuit."
    assert round(readability(hard)) == 34
    assert readability(easy) > 90
    assert "hard-to-read" in rules(hard)
    assert rules(easy) == set()


def test_a_sentence_over_25_words_fails_even_when_the_average_is_low() -> None:
    long = " ".join(["mot"] * 26) + "."
    text = f"{long} Oui. Non. Bien. Merci. Ok. Vu. Super. Top."
    assert "sentence-too-long" in rules(text)


def test_an_average_over_15_words_fails() -> None:
    sentence = "Vous allez à la mairie avec vos papiers et votre photo pour la carte demain matin."
    assert "average-too-long" in rules(f"{sentence} {sentence}")


def test_acronym_needs_expansion_or_glossary() -> None:
    assert "unexplained-acronym" in rules("Allez à la MDPH demain.")
    assert "unexplained-acronym" not in rules("Allez à la MDPH (maison du handicap) demain.")
    assert "unexplained-acronym" not in rules("Allez à la maison du handicap (MDPH) demain.")
    assert "unexplained-acronym" not in rules("Allez à la MDPH demain.", ("MDPH",))
    assert "unexplained-acronym" not in rules("Votre référence : K7M4QX.")
    assert "unexplained-acronym" in rules("Demandez la C2S.")


def test_numbers_in_words_and_percentages_fail() -> None:
    assert "number-in-words" in rules("Apportez deux photos.")
    assert "number-in-words" not in rules("Apportez 2 photos. Un logement neuf.")
    assert "percentage" in rules("Vous payez 10 % du prix.")
    assert "percentage" in rules("Vous payez dix pour cent du prix.")


def test_passive_with_agent_fails_but_state_does_not() -> None:
    assert "passive-voice" in rules("Votre demande est étudiée par la CAF.")
    assert "passive-voice" not in rules("La CAF étudie votre demande.")
    assert "passive-voice" not in rules("C'est gratuit. Vous êtes inscrit.")


def test_list_lines_and_phone_numbers_are_read_as_a_resident_reads_them() -> None:
    text = "Voici :\n1. Trouver un service.\n2. Parler à une personne.\nAppelez le 04 79 60 20 20."
    assert split_sentences(text) == ["Voici :", "Trouver un service.", "Parler à une personne.", "Appelez le 0479000000."]


def test_agentless_passive_is_a_warning_and_states_are_not() -> None:
    assert check_text("Les repas sont apportés chez vous.").warnings
    assert check_text("Les repas sont apportés chez vous.").ok
    assert not check_text("C'est gratuit. Je suis désolé.").warnings

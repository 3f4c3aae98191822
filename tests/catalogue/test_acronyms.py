"""Result cards spell each acronym out once, the first time the resident reads it."""
from actions.common.acronyms import expansions, spell_out_first


def test_the_first_use_is_spelled_out_and_only_the_first() -> None:
    text = spell_out_first("Le CCAS aide. Le CCAS écoute.", {"CCAS": "centre communal d'action sociale"})
    assert text == "Le CCAS (centre communal d'action sociale) aide. Le CCAS écoute."


def test_an_acronym_already_explained_is_left_alone() -> None:
    known = {"RSA": "revenu de solidarité active"}
    assert spell_out_first("Le RSA (revenu de solidarité active).", known) == "Le RSA (revenu de solidarité active)."
    assert spell_out_first("Le revenu de solidarité active, ou RSA.", known) == "Le revenu de solidarité active, ou RSA."


def test_the_glossary_gives_the_expansions() -> None:
    assert expansions()["CCAS"].startswith("centre communal")


def test_cards_of_ccas_services_spell_ccas_out(sqlite_seeded) -> None:
    from datetime import datetime

    from actions.catalogue.conversation import answer

    cards = answer("portage de repas", {}, engine=sqlite_seeded, at=datetime(2026, 11, 24, 10)).responses[0][1]["cartes"]
    assert "CCAS (centre communal d'action sociale)" in cards
    assert cards.count("(centre communal d'action sociale)") == 1

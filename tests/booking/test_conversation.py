"""How the booking conversation reads answers typed by number or in words."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from actions.booking import conversation as talk
from actions.common.form_answers import BACK, CANCEL, control_word

TODAY = date(2026, 11, 30)


@pytest.mark.parametrize("said, word", [("retour", BACK), ("Retour !", BACK), ("en arrière", BACK),
                                        ("annuler", CANCEL), ("Annule", CANCEL), ("laisse tomber", CANCEL),
                                        ("stop", CANCEL), ("mardi", None), ("je veux annuler mon rdv de mardi", None)])
def test_control_words(said: str, word) -> None:
    assert control_word(said) == word


@pytest.mark.parametrize("said, number", [("1", 1), ("le 2", 2), ("numéro 3", 3), ("la deuxième", 2),
                                          ("4", None), ("0", None), ("mardi", None)])
def test_choice_by_number(said: str, number) -> None:
    assert talk.choice_number(said, 3) == number


@pytest.mark.parametrize("said, name", [("nadia", "Nadia"), ("je m'appelle jean-pierre", "Jean-Pierre"),
                                        ("Moi c'est Zoé", "Zoé"), ("06 12 34 56 78", None), ("", None),
                                        ("je ne sais pas quoi vous dire la dessus franchement", None)])
def test_first_name(said: str, name) -> None:
    assert talk.parse_first_name(said) == name


def test_yes_no_any_other_day() -> None:
    assert talk.is_yes("Oui je confirme") and talk.is_yes("ok") and talk.is_yes("d'accord")
    assert talk.is_no("non") and not talk.is_yes("non")
    assert talk.wants_any_place("peu importe") and talk.wants_any_place("n'importe ou")
    assert talk.wants_other_day("un autre jour") and talk.wants_other_day("aucun ne me va")
    assert talk.wants_slot_change("changer le créneau") and not talk.wants_slot_change("oui")


def test_offer_picked_by_its_words() -> None:
    starts = [datetime(2026, 12, 1, 8, tzinfo=timezone.utc), datetime(2026, 12, 1, 9, tzinfo=timezone.utc),
              datetime(2026, 12, 2, 9, tzinfo=timezone.utc)]
    assert talk.match_offer_by_words("mardi 10h", starts, TODAY) == 1
    assert talk.match_offer_by_words("mercredi", starts, TODAY) == 2
    assert talk.match_offer_by_words("mardi", starts, TODAY) is None  # two on Tuesday: ambiguous
    assert talk.match_offer_by_words("bof", starts, TODAY) is None


def test_other_day_starts_after_the_last_offer() -> None:
    # 23:30 UTC on 2 December is already 3 December in Paris: the next day is the 4th.
    pref = talk.next_day_preference(datetime(2026, 12, 2, 23, 30, tzinfo=timezone.utc), TODAY)
    assert pref.not_before_day == date(2026, 12, 4)

"""The ten weakest resident texts, rewritten in plain French (FALC), stay rewritten.

Every text of the corpus (tests/language/corpus.py) was scored on sentence length, long
words, passive hints, acronyms not spelled out, number of sentences and SMS segments;
the ten worst that Sésame's own files hold were rewritten, facts unchanged. This test
keeps the old wordings out of every text a resident reads, and holds the new ones to
stricter bounds than the general gate (test_plain_language.py): at most 18 words a
sentence (25 there) and 12 on average (15), Kandel-Moles 60 or more (50), no passive
hint, at most one negative sentence, every acronym spelled out in the text itself, and
the SMS sent after a booking in at most 2 segments (3 for a confirmation without address).

It also checks that every acronym is spelled out on first use in each text read on its
own: a domain response, a glossary explanation, a text built in Python (the guides are
read in order: tests/guides/test_content_truth.py checks them guide by guide).
"""
from __future__ import annotations

import re
from statistics import mean

import pytest

from actions.common.text import fold
from actions.guides.falc import COMMON_ACRONYMS, acronyms, check_text, is_expanded, split_sentences, words
from actions.guides.library import glossary_acronyms, load_glossary
from messaging.gsm7 import normalise, segment_info
from tests.language.corpus import COMMAND_WORDS, all_texts, domain_texts, python_texts

CORPUS = all_texts()
BY_ORIGIN = dict(CORPUS)
KNOWN = (*glossary_acronyms(), *COMMAND_WORDS)
EXPANSIONS = {t.term: fold(t.expansion) for t in load_glossary() if t.expansion}

MAX_WORDS = 18
MAX_MEAN_WORDS = 12.0
MIN_SCORE = 60.0

# Before the rewrite: each wording (or the weak part of a template) must appear in no text.
OLD_WORDINGS = (
    # guide mutuelle-communale, step 1: 22 words between two full stops for the linter
    "D'abord, faites le test de la Complémentaire santé solidaire (C2S) sur ameli.fr. "
    "Selon vos revenus, elle ne coûte rien ou très peu.",
    # glossary mdph: one 14-word sentence, Kandel-Moles 51
    "La MDPH (maison départementale des personnes handicapées) étudie les demandes d'aide liées au handicap.",
    # SMS after a booking (confirmation, move, reminder): passive, "I don't know", 3 segments
    "votre rendez-vous est confirmé",
    "votre rendez-vous est déplacé",
    " est annulé. Référence :",
    "je ne la connais pas encore",
    "Pour la demander, appelez",
    # guide ehpad-residence-autonomie, page 0: 18-word sentence, stacked negations, partial expansion
    "Une résidence autonomie est un logement pour les personnes âgées qui font encore seules les gestes du quotidien.",
    "C'est pour les personnes âgées qui ne peuvent plus, ou ne veulent plus, rester chez elles.",
    "EHPAD (établissement pour personnes âgées dépendantes)",
    # guide cheque-energie, step 2: 21 words for the linter, web address at a sentence's end
    "Depuis 2025, les autres foyers doivent faire la demande sur le site chequeenergie.gouv.fr. "
    "Il y a une date limite chaque année. Le site la donne.",
    # domain utter_booking_cancelled: 2 passives for one fact
    "C'est annulé. Votre rendez-vous du {when} est supprimé.",
    # glossary aspa: Kandel-Moles 52
    "L'ASPA (allocation de solidarité aux personnes âgées) complète une petite retraite. "
    "On l'appelle aussi minimum vieillesse.",
    # guide aide-alimentaire, page 0: 18-word sentence, the same fact said twice
    "La Plateforme des solidarités du CCAS (centre communal d'action sociale) aide les personnes qui ont des "
    "besoins urgents.",
)

# Where each rewritten text is read (origins of tests/language/corpus.py).
REWRITTEN = (
    "guide mutuelle-communale page 2",
    "glossary mdph",
    "booking/confirmation_body/address",
    "booking/confirmation_body/no-address",
    "booking/moved_body/address",
    "booking/moved_body/no-address",
    "guide ehpad-residence-autonomie page 0",
    "guide cheque-energie page 3",
    "booking/reminder_body/address",
    "booking/reminder_body/no-address",
    "domain/booking.yml utter_booking_cancelled[0]",
    "glossary aspa",
    "guide aide-alimentaire page 0",
)

_NEGATION = re.compile(r"\b(?:ne|n')\s*[\wÀ-ÿ'-]+\s+(?:pas|plus|rien|jamais)\b", re.IGNORECASE)


def spelled_out(acronym: str, text: str) -> bool:
    """The text says what the acronym means: "CAF (caisse…)", "(…) (CAF)" or "la CAF est la caisse…"."""
    expansion = EXPANSIONS.get(acronym)
    return is_expanded(acronym, text) or bool(expansion and expansion in fold(text))


def unexplained(text: str) -> list[str]:
    ignored = COMMON_ACRONYMS | set(COMMAND_WORDS)
    return sorted(a for a in acronyms(text) - ignored if not spelled_out(a, text))


@pytest.mark.parametrize("old", OLD_WORDINGS, ids=lambda old: old[:40])
def test_the_old_weak_wording_is_gone_everywhere(old: str) -> None:
    found = [origin for origin, text in CORPUS if fold(old) in fold(text)]
    assert not found, f"old wording back in {found}: {old!r}"


@pytest.mark.parametrize("origin", REWRITTEN)
def test_the_rewritten_text_is_plainer_than_the_general_rule(origin: str) -> None:
    assert origin in BY_ORIGIN, f"{origin} is no longer in the corpus: update REWRITTEN"
    text = BY_ORIGIN[origin]
    report = check_text(text, KNOWN)
    assert report.ok, report.describe(origin)
    assert not report.warnings, f"{origin}: {[str(w) for w in report.warnings]}"
    sentences = split_sentences(text)
    lengths = [len(words(s)) for s in sentences]
    too_long = [s for s, n in zip(sentences, lengths) if n > MAX_WORDS]
    assert not too_long, f"{origin}: over {MAX_WORDS} words: {too_long}"
    assert mean(lengths) <= MAX_MEAN_WORDS, f"{origin}: {mean(lengths):.1f} words a sentence on average"
    assert report.score >= MIN_SCORE, f"{origin}: Kandel-Moles {report.score:.0f} < {MIN_SCORE:g}"
    assert len([s for s in sentences if _NEGATION.search(s)]) <= 1, f"{origin}: stacked negative sentences"
    assert not unexplained(text), f"{origin}: spell out {unexplained(text)} in the text itself"


# SMS segments (160 GSM-7 characters, 153 when split), demonstration notice aside. Without an
# address, the confirmation also says what to bring and both commands: 3 segments (it had 3).
MAX_SEGMENTS = {"booking/confirmation_body/no-address": 3}


@pytest.mark.parametrize("origin", [o for o in REWRITTEN if o.startswith("booking/")])
def test_the_sms_after_a_booking_stay_short(origin: str) -> None:
    segments = segment_info(normalise(BY_ORIGIN[origin])).segments
    limit = MAX_SEGMENTS.get(origin, 2)
    assert segments <= limit, f"{origin}: {segments} SMS segments (max {limit})"


def test_the_address_nobody_knows_yet_is_asked_for_not_apologised_for() -> None:
    for origin in ("booking/confirmation_body/no-address", "booking/reminder_body/no-address"):
        assert "Adresse : demandez-la à " in BY_ORIGIN[origin], origin


SINGLE_TEXTS = [*domain_texts(), *(("glossary " + t.id, t.explanation) for t in load_glossary()), *python_texts()]


@pytest.mark.parametrize("origin,text", SINGLE_TEXTS, ids=[o for o, _ in SINGLE_TEXTS])
def test_every_acronym_is_spelled_out_in_a_text_read_on_its_own(origin: str, text: str) -> None:
    assert not unexplained(text), f"{origin}: spell out {unexplained(text)} on first use: {text!r}"

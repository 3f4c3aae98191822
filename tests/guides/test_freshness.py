"""Freshness gate: every guide fact is sourced, dated within 12 months, and no past date is
still written in the future tense.

Run against the real guides, and against small in-memory examples that prove each check
fails when it should (a gate that never fails proves nothing).
"""
from __future__ import annotations

import copy
import datetime as dt
import re

import pytest
import yaml

from actions.guides.library import (
    Guide,
    GuideSchemaError,
    guide_files,
    load_glossary,
    load_library,
    parse_guide,
)
from actions.guides.stepper import pages

MAX_AGE_DAYS = 365
MONTHS = {
    "janvier": 1, "février": 2, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6,
    "juillet": 7, "août": 8, "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11,
    "décembre": 12, "decembre": 12,
}
_MONTH = "|".join(MONTHS)
# "doit ouvrir en 2026", "va ouvrir en 2026", "ouvrira en 2026", "prépare un lieu ... en 2026"
_FUTURE_YEAR = re.compile(
    r"\b(?:(?:doit|doivent|va|vont|devrait|devraient)\s+(?:ouvrir|commencer|démarrer|fermer|changer|arriver|s'arrêter|finir)"
    r"|ouvrira|ouvriront|commencera|commenceront|démarrera|fermera|changera|arrivera|finira|sera\s+ouvert(?:e)?"
    r"|prépare|préparent|prévoit|prévoient)\b[^.?!]{0,60}?\ben\s+(?P<year>\d{4})\b",
    re.IGNORECASE,
)
# "à partir de janvier 2025", "à partir du 1er mars 2026"
_FROM_MONTH = re.compile(
    rf"\bà\s+partir\s+(?:de|du)\s+(?:(?P<day>\d{{1,2}})(?:er)?\s+)?(?P<month>{_MONTH})\s+(?P<year>\d{{4}})\b",
    re.IGNORECASE,
)


def stale_future_mentions(text: str, today: dt.date) -> list[str]:
    """Phrases that announce, in the future tense, a date that is already past."""
    found = []
    for match in _FUTURE_YEAR.finditer(text):
        if int(match["year"]) < today.year:
            found.append(match.group(0))
    for match in _FROM_MONTH.finditer(text):
        month = MONTHS[match["month"].lower()]
        day = int(match["day"] or 1)
        if dt.date(int(match["year"]), month, day) <= today:
            found.append(match.group(0))
    return found


def freshness_problems(guide: Guide, today: dt.date) -> list[str]:
    """Why a guide fails the gate: undated or unsourced facts, old dates, stale future tense."""
    oldest = today - dt.timedelta(days=MAX_AGE_DAYS)
    problems = []
    for fact in guide.facts:
        if not fact.sources:
            problems.append(f"{fact.field}: no source")
        if fact.verified < oldest:
            problems.append(f"{fact.field}: verifie_le {fact.verified} is older than 12 months")
    for source in guide.sources:
        if source.verified is None or source.verified < oldest:
            problems.append(f"source {source.id}: verifie_le {source.verified} is missing or older than 12 months")
    for text in guide_texts(guide):
        for phrase in stale_future_mentions(text, today):
            problems.append(f"past date in the future tense: {phrase!r}")
    return problems


def guide_texts(guide: Guide) -> list[str]:
    return [*pages(guide), *(s.simpler for s in guide.steps if s.simpler), *guide.documents]


def _rsa_data() -> dict:
    path = next(p for p in guide_files() if p.stem == "rsa")
    return yaml.safe_load(path.read_text(encoding="utf-8"))


TODAY = dt.date.today()


# --- the real guides pass -------------------------------------------------------------

@pytest.mark.parametrize("guide_id", sorted(load_library()), ids=str)
def test_real_guides_are_sourced_dated_and_fresh(guide_id: str) -> None:
    guide = load_library()[guide_id]
    assert guide.facts, "a guide without facts was not parsed with the dated schema"
    assert len(guide.facts) == len(guide.conditions) + len(guide.steps) + 1  # + cost
    assert freshness_problems(guide, TODAY) == []


def test_glossary_terms_are_dated_and_fresh() -> None:
    oldest = TODAY - dt.timedelta(days=MAX_AGE_DAYS)
    for term in load_glossary():
        assert term.verified and term.verified >= oldest, term.id
        assert not stale_future_mentions(term.explanation, TODAY), term.id


# --- each check fails on a bad example ------------------------------------------------

def test_a_fact_older_than_12_months_fails_the_gate() -> None:
    data = _rsa_data()
    data["steps"][0]["verifie_le"] = (TODAY - dt.timedelta(days=MAX_AGE_DAYS + 1)).isoformat()
    problems = freshness_problems(parse_guide(data, "rsa.yml"), TODAY)
    assert any("step 1" in p and "older than 12 months" in p for p in problems)


def test_a_source_older_than_12_months_fails_the_gate() -> None:
    data = _rsa_data()
    data["sources"][0]["verifie_le"] = "2020-01-01"
    problems = freshness_problems(parse_guide(data, "rsa.yml"), TODAY)
    assert any(p.startswith("source ") for p in problems)


@pytest.mark.parametrize("where", ["conditions", "steps"])
@pytest.mark.parametrize("missing,message", [("source", "needs a 'source'"), ("verifie_le", "verifie_le")])
def test_a_fact_without_source_or_date_is_refused(where: str, missing: str, message: str) -> None:
    data = _rsa_data()
    del data[where][0][missing]
    with pytest.raises(GuideSchemaError, match=message):
        parse_guide(data, "rsa.yml")


def test_a_cost_without_source_or_date_is_refused() -> None:
    for missing in ("source", "verifie_le"):
        data = _rsa_data()
        del data["cost"][missing]
        with pytest.raises(GuideSchemaError):
            parse_guide(data, "rsa.yml")


def test_a_plain_text_condition_without_source_is_refused() -> None:
    data = _rsa_data()
    data["conditions"][0] = "Vous habitez en France."
    with pytest.raises(GuideSchemaError, match="condition 1"):
        parse_guide(data, "rsa.yml")


def test_a_fact_citing_an_unknown_source_is_refused() -> None:
    data = _rsa_data()
    data["steps"][0]["source"] = "un-blog"
    with pytest.raises(GuideSchemaError, match="unknown source"):
        parse_guide(data, "rsa.yml")


def test_a_source_without_date_is_refused() -> None:
    data = _rsa_data()
    del data["sources"][0]["verifie_le"]
    with pytest.raises(GuideSchemaError, match="verifie_le"):
        parse_guide(data, "rsa.yml")


def test_a_past_date_in_the_future_tense_fails_the_gate() -> None:
    data = _rsa_data()
    data["steps"][0]["text"] = f"Un lieu doit ouvrir en {TODAY.year - 1}. Il sera gratuit."
    problems = freshness_problems(parse_guide(data, "rsa.yml"), TODAY)
    assert any("future tense" in p for p in problems)


# --- the tense detector itself --------------------------------------------------------

@pytest.mark.parametrize(
    "text,stale",
    [
        ("Le lieu doit ouvrir en 2026.", True),
        ("Le lieu ouvrira en 2025.", True),
        ("La Ville prépare un lieu pour les parents en 2026.", True),
        ("À partir de janvier 2025, vous êtes inscrit.", True),
        ("À partir du 1er octobre 2026, la règle change.", True),
        ("Le lieu doit ouvrir en 2028.", False),
        ("À partir de mars 2027, la règle change.", False),
        ("Depuis le 1er janvier 2025, l'inscription est automatique.", False),
        ("Vous avez 2026 raisons.", False),
    ],
)
def test_stale_future_mentions(text: str, stale: bool) -> None:
    today = dt.date(2027, 1, 15)
    assert bool(stale_future_mentions(text, today)) is stale


def test_the_gate_uses_today_not_a_fixed_date() -> None:
    later = TODAY + dt.timedelta(days=MAX_AGE_DAYS + 30)
    guide = copy.deepcopy(load_library()["rsa"])
    assert any("older than 12 months" in p for p in freshness_problems(guide, later))

"""Plain-language gate over every resident-facing text (FALC + Kandel-Moles).

Each text is its own test case, named after where it comes from, so a failure
reads like: "domain/core.yml utter_x[0]: '<text>' [sentence-too-long] 27 words…".
"""
from __future__ import annotations

import warnings

import pytest

from actions.guides.falc import MIN_MEAN_READABILITY, check_text, mean_readability
from actions.guides.library import glossary_acronyms
from tests.language.corpus import COMMAND_WORDS, all_texts, catalogue_texts, domain_texts, guide_texts, python_texts

TEXTS = all_texts()
KNOWN = (*glossary_acronyms(), *COMMAND_WORDS)


def test_the_corpus_covers_domain_guides_and_catalogue() -> None:
    assert any(True for _ in domain_texts()), "no response found in domain/"
    assert sum(1 for _ in guide_texts()) > 22 * 5
    assert any(True for _ in catalogue_texts()), "no catalogue description found"
    origins = {origin.split("/")[0] for origin, _ in python_texts()}
    assert {"handoff", "booking", "channels", "privacy"} <= origins, origins


@pytest.mark.parametrize("origin,text", TEXTS, ids=[o for o, _ in TEXTS])
def test_text_is_plain_french(origin: str, text: str) -> None:
    report = check_text(text, KNOWN)
    for hint in report.warnings:  # agentless passive: shown in the summary, not a failure
        warnings.warn(f"{origin}: {hint}", UserWarning, stacklevel=1)
    assert report.ok, report.describe(origin)


def test_mean_readability_over_all_texts() -> None:
    reports = [check_text(text, KNOWN) for _, text in TEXTS]
    hardest = sorted(zip(reports, (o for o, _ in TEXTS)), key=lambda r: r[0].score)[:5]
    listing = "\n".join(f"  {r.score:.0f} {origin}: {r.text!r}" for r, origin in hardest)
    assert mean_readability(reports) >= MIN_MEAN_READABILITY, (
        f"mean Kandel-Moles {mean_readability(reports):.1f} < {MIN_MEAN_READABILITY}; hardest texts:\n{listing}"
    )

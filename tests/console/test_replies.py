"""Every text the console sends a resident passes the project's plain-language (FALC) checks."""
from __future__ import annotations

import pytest

from actions.guides.falc import check_text
from actions.guides.library import glossary_acronyms
from bot.console.replies import CANNED_REPLIES, HAND_BACK_NOTICE, MAX_REPLY_CHARS, take_over_notice

TEXTS = {**{f"canned:{code}": text for code, (_, text) in CANNED_REPLIES.items()},
         "hand-back": HAND_BACK_NOTICE, "take-over": take_over_notice("Nadia", "CCAS")}


def test_five_to_eight_short_canned_replies() -> None:
    assert 5 <= len(CANNED_REPLIES) <= 8
    assert all(len(text) <= 200 < MAX_REPLY_CHARS for _, text in CANNED_REPLIES.values())


@pytest.mark.parametrize("origin", sorted(TEXTS))
def test_text_is_plain_french(origin: str) -> None:
    report = check_text(TEXTS[origin], glossary_acronyms())
    assert report.ok, report.describe(origin)

"""The channels' own texts are plain French (FALC): short sentences, digits, a way forward."""
from __future__ import annotations

import re

from bot.channels import texts
from messaging import gsm7
from bot.channels.render import choice_prompt

ALL = {name: value for name, value in vars(texts).items() if name.isupper() and isinstance(value, str)}


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]


def test_short_sentences() -> None:
    assert ALL
    for name, text in ALL.items():
        lengths = [len(s.split()) for s in sentences(text)]
        assert max(lengths) <= 25, name
        assert sum(lengths) / len(lengths) < 15, name


def test_sms_texts_fit_one_gsm7_segment_pair() -> None:
    for name, text in ALL.items():
        if name.startswith("SMS_"):
            info = gsm7.segment_info(gsm7.normalise(text))
            assert info.encoding == "GSM-7" and info.segments <= 2, name


def test_stop_confirmation_says_how_to_come_back() -> None:
    assert "START" in texts.SMS_STOPPED
    assert "AIDE" in texts.SMS_RESTARTED
    assert choice_prompt(4) == "Répondez 1, 2, 3 ou 4."

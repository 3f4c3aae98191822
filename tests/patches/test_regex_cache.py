"""A very large pattern read back from the cache matches exactly what Python compiles.

The pattern is the real one: spaCy's French tokenizer exceptions (1.45 million characters).
"""
from __future__ import annotations

import re
import sre_compile
from pathlib import Path

import pytest
import yaml

from bot.patches import regex_cache
from tools.model import ROOT


@pytest.fixture(scope="module")
def french_pattern() -> str:
    from spacy.lang.fr.tokenizer_exceptions import TOKEN_MATCH

    return TOKEN_MATCH.__self__.pattern


@pytest.fixture(scope="module")
def words() -> list[str]:
    """Every word of the NLU data and test set, plus the hyphenated forms the pattern is for."""
    found: set[str] = set()
    for path in list((ROOT / "data" / "nlu").glob("*.yml")) + list((ROOT / "tests" / "nlu").glob("*.yml")):
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
            for line in str(block.get("examples", "")).splitlines():
                found.update(line.lstrip("- ").split())
    found.update(["aujourd'hui", "peut-être", "Peut-Etre", "c'est-à-dire", "Saint-Étienne", "arc-en-ciel",
                  "anti-inflammatoire", "rendez-vous", "rdv", "week-end", "l'appartement", "qu'est-ce",
                  "sud-africain", "Sud-Africaine", "porte-monnaie"])
    return sorted(found)


@pytest.fixture()
def cache(tmp_path: Path):
    regex_cache.install(tmp_path)
    yield tmp_path
    regex_cache.uninstall()


def test_cached_pattern_matches_like_pythons(cache, french_pattern, words) -> None:
    plain = regex_cache._original_compile(french_pattern, 0)
    first = regex_cache.cached_compile(french_pattern, 0)  # compiles and writes the file
    assert list(cache.glob("regex-*.marshal")), "the compiled pattern was not saved"
    again = regex_cache.cached_compile(french_pattern, 0)  # read back from the file
    for compiled in (first, again):
        assert (compiled.pattern, compiled.flags, compiled.groups, compiled.groupindex) == \
            (plain.pattern, plain.flags, plain.groups, plain.groupindex)
    assert len(words) > 1000
    for word in words:
        expected = plain.match(word)
        got = again.match(word)
        assert (got and got.span()) == (expected and expected.span()), word
    assert sum(bool(plain.match(w)) for w in words) > 5  # the check saw matches, not only misses


def test_a_saved_pattern_is_not_compiled_again(cache, french_pattern, monkeypatch) -> None:
    regex_cache.cached_compile(french_pattern, 0)

    def no_compiling(*_args, **_kwargs):
        raise AssertionError("compiled again instead of reading the cache")

    monkeypatch.setattr(sre_compile, "_code", no_compiling)
    assert regex_cache.cached_compile(french_pattern, 0).match("Saint-Étienne")


def test_a_damaged_file_means_an_ordinary_compile(cache, french_pattern) -> None:
    regex_cache.cached_compile(french_pattern, 0)
    (saved,) = cache.glob("regex-*.marshal")
    saved.write_bytes(b"not a compiled pattern")
    assert regex_cache.cached_compile(french_pattern, 0).match("Saint-Étienne")
    assert saved.read_bytes() != b"not a compiled pattern"  # written again


def test_ordinary_patterns_do_not_touch_the_cache(cache) -> None:
    assert re.compile(r"(?P<word>\w+)-\d{2,}").match("abc-123").group("word") == "abc"
    assert not list(cache.iterdir())

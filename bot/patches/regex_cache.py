"""Very large regular expressions compiled once, then read back from disk.

spaCy's French tokenizer keeps hyphenated words such as "Saint-Étienne" or "arc-en-ciel"
whole with one regular expression of 1.45 million characters
(`spacy/lang/fr/tokenizer_exceptions.py`).
Python compiles it again in every process: about 4 s of the Rasa server's cold start.
The compiled form is only a list of integers plus the group tables, so it is saved the
first time and handed straight to `_sre.compile` afterwards. Only patterns longer than
`MIN_LENGTH` go through the cache. The file name holds a hash of the Python version, the
flags and the pattern. A missing, stale or damaged file means an ordinary compile (and a
new file). `tests/patches/test_regex_cache.py` checks that both give the same matches.
"""
from __future__ import annotations

import _sre  # type: ignore[import-not-found]
import hashlib
import marshal
import sre_compile
import sre_parse
import sys
from pathlib import Path
from typing import Any

WRITTEN_FOR = {"python": "3.10"}  # the versions this patch was written and tested against

MIN_LENGTH = 100_000
_original_compile = sre_compile.compile
_cache_dir: Path | None = None


def _cache_file(pattern: str, flags: int) -> Path:
    assert _cache_dir is not None
    digest = hashlib.sha256(f"{sys.version}|{flags}|".encode() + pattern.encode("utf-8", "surrogatepass"))
    return _cache_dir / f"regex-{digest.hexdigest()[:32]}.marshal"


def _compile_and_save(pattern: str, flags: int, path: Path) -> Any:
    """What `sre_compile.compile` does for a string pattern, keeping the pieces it hands to `_sre`."""
    parsed = sre_parse.parse(pattern, flags)
    code = [int(op) for op in sre_compile._code(parsed, flags)]  # type: ignore[attr-defined]  # private; opcodes are int subclasses
    groupindex = dict(parsed.state.groupdict)
    indexgroup: list[str | None] = [None] * parsed.state.groups
    for name, index in groupindex.items():
        indexgroup[index] = name
    parts = (int(flags | parsed.state.flags), code, int(parsed.state.groups) - 1, groupindex, tuple(indexgroup))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        partial.write_bytes(marshal.dumps(parts))
        partial.replace(path)  # a reader never sees half a file
    except OSError:
        pass  # no cache this time; the pattern is compiled all the same
    return _sre.compile(pattern, *parts)


def cached_compile(p: Any, flags: int = 0) -> Any:
    """`sre_compile.compile`, reading very large string patterns from the cache."""
    if _cache_dir is None or not isinstance(p, str) or len(p) < MIN_LENGTH or flags & sre_compile.SRE_FLAG_DEBUG:
        return _original_compile(p, flags)
    path = _cache_file(p, int(flags))
    try:
        return _sre.compile(p, *marshal.loads(path.read_bytes()))
    except (OSError, EOFError, ValueError, TypeError, RuntimeError):
        return _compile_and_save(p, int(flags), path)


def install(cache_dir: Path) -> None:
    """Route `re.compile` of very large patterns through the cache in ``cache_dir``."""
    global _cache_dir
    _cache_dir = cache_dir
    sre_compile.compile = cached_compile  # type: ignore[assignment]


def uninstall() -> None:
    global _cache_dir
    _cache_dir = None
    sre_compile.compile = _original_compile  # type: ignore[assignment]

"""spaCy's word-to-vector table, held in two flat arrays instead of a dict of 500,000 entries.

`fr_core_news_md` maps 500,000 written forms to 20,000 vectors. spaCy keeps that map
(`Vectors.key2row`) as a Python dict read from msgpack: about 55 MB once loaded, and
reading it left the Rasa process 150 MB bigger. Sésame only reads the map (a token's vector),
so it is kept sorted in two `array`s (6 MB) and searched by bisection: about 2 µs more a
token. Same keys, same rows (tests/nlu/test_spacy_nlp.py). The map is read-only: adding
a vector raises `TypeError`, as for any immutable mapping.

spaCy serialises the map with msgpack when a model, or a document holding its vocabulary, is
saved, pickled or deep-copied (`rasa test nlu` deep-copies messages with their spaCy
documents). msgpack only knows dicts, so an encoder registered with srsly writes the compact
map as the dict it stands for: the bytes spaCy would have written, read back as a plain dict.
"""
from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Iterator, Mapping
from typing import Any, Optional, TypeVar, Union, overload

import numpy as np
import srsly


_Default = TypeVar("_Default")


class SortedKeyRows(Mapping):
    """A read-only ``{key hash: row}`` map with the lookups spaCy's `Vectors` makes."""

    __slots__ = ("_keys", "_rows")

    def __init__(self, key2row: Mapping[int, int]) -> None:
        keys = np.fromiter(key2row.keys(), dtype=np.uint64, count=len(key2row))
        rows = np.fromiter(key2row.values(), dtype=np.int64, count=len(key2row))
        order = np.argsort(keys, kind="stable")
        self._keys = array("Q", keys[order].tobytes())
        self._rows = array("q", rows[order].tobytes())

    def _index(self, key: Any) -> int:
        if type(key) is not int:
            try:
                key = int(key)
            except (TypeError, ValueError):
                return -1
        index = bisect_left(self._keys, key)
        return index if index < len(self._keys) and self._keys[index] == key else -1

    def __getitem__(self, key: Any) -> int:
        index = self._index(key)
        if index < 0:
            raise KeyError(key)
        return self._rows[index]

    def __contains__(self, key: object) -> bool:
        return self._index(key) >= 0

    @overload
    def get(self, key: Any, /) -> Optional[int]: ...

    @overload
    def get(self, key: Any, default: Union[int, _Default], /) -> Union[int, _Default]: ...

    def get(self, key: Any, default: Any = None) -> Any:
        index = self._index(key)
        return default if index < 0 else self._rows[index]

    def __iter__(self) -> Iterator[int]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)


def compact_vector_keys(vectors: Any) -> None:
    """Swap a loaded `spacy.vectors.Vectors`' dict for the compact map (default mode only)."""
    if isinstance(vectors.key2row, dict) and len(vectors.key2row):
        vectors.key2row = SortedKeyRows(vectors.key2row)


def encode_for_msgpack(obj: Any, chain: Optional[Any] = None) -> Any:
    """srsly's msgpack encoder hook: the compact map goes out as a dict, the rest goes on."""
    if isinstance(obj, SortedKeyRows):
        return dict(zip(obj._keys, obj._rows))
    return obj if chain is None else chain(obj)


srsly.msgpack_encoders.register("sesame_sorted_key_rows", func=encode_for_msgpack)

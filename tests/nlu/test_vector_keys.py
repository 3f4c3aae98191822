"""The compact word-to-vector map answers every lookup spaCy makes as its dict would."""
from __future__ import annotations

import random

import numpy as np
import pytest

from bot.nlu.vector_keys import SortedKeyRows, compact_vector_keys


@pytest.fixture(scope="module")
def table() -> dict[int, int]:
    rng = random.Random(3)
    table = {rng.getrandbits(64): rng.randrange(20_000) for _ in range(5_000)}
    table[0], table[2**64 - 1], table[2**63] = 1, 2, 3  # the edges of spaCy's 64-bit hashes
    return table


def test_every_key_finds_its_row(table) -> None:
    compact = SortedKeyRows(table)
    assert len(compact) == len(table)
    for key, row in table.items():
        assert key in compact and compact[key] == row and compact.get(key) == row
    assert dict(compact) == table


def test_unknown_keys_are_absent_not_confused(table) -> None:
    compact = SortedKeyRows(table)
    rng = random.Random(4)
    for key in (rng.getrandbits(64) for _ in range(2_000)):
        if key not in table:
            assert key not in compact and compact.get(key) is None and compact.get(key, -1) == -1
            with pytest.raises(KeyError):
                compact[key]
    for odd in (-1, 2**64, "bonjour", None, 1.5):
        assert odd not in compact and compact.get(odd, "absent") == "absent"


def test_numpy_integer_keys_are_found(table) -> None:
    compact = SortedKeyRows(table)
    key = next(k for k in table if k > 2**63)
    assert compact[np.uint64(key)] == table[key]


def test_the_map_is_read_only(table) -> None:
    with pytest.raises(TypeError):
        SortedKeyRows(table)[1] = 2  # type: ignore[index]


def test_only_a_filled_dict_is_replaced(table) -> None:
    class FakeVectors:  # the one attribute compact_vector_keys touches
        def __init__(self, key2row):
            self.key2row = key2row

    filled, empty = FakeVectors(dict(table)), FakeVectors({})
    compact_vector_keys(filled)
    compact_vector_keys(empty)
    assert isinstance(filled.key2row, SortedKeyRows) and empty.key2row == {}


def test_msgpack_writes_the_compact_map_as_the_dict_it_stands_for(table) -> None:
    import srsly

    assert srsly.msgpack_loads(srsly.msgpack_dumps(SortedKeyRows(table))) == table
    assert srsly.msgpack_loads(srsly.msgpack_dumps({"rows": SortedKeyRows(table)})) == {"rows": table}
    assert srsly.msgpack_loads(srsly.msgpack_dumps(np.arange(3))).tolist() == [0, 1, 2]  # numpy still goes on

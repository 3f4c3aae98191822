"""Sparse features are joined exactly as scipy.sparse.hstack joins them."""
from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse
from rasa.shared.nlu.training_data.features import Features

from bot.runtime.sparse_features import _combine_sparse_features, hstack_coo

RNG = np.random.default_rng(3)


def random_coo(rows: int, cols: int, density: float, dtype: type) -> scipy.sparse.coo_matrix:
    return scipy.sparse.random(rows, cols, density=density, format="coo", dtype=dtype, random_state=RNG)


def assert_same(ours: scipy.sparse.coo_matrix, theirs: scipy.sparse.coo_matrix) -> None:
    assert type(ours) is type(theirs) and ours.shape == theirs.shape
    for name in ("data", "row", "col"):
        mine, scipys = getattr(ours, name), getattr(theirs, name)
        assert mine.dtype == scipys.dtype, name
        assert np.array_equal(mine, scipys), name


@pytest.mark.parametrize("rows, left_cols, right_cols, density", [
    (1, 10, 4000, 0.01),       # a sentence feature: one row
    (7, 300, 12, 0.2),         # a sequence feature: a row per token
    (3, 5, 5, 0.0),            # nothing set
    (12, 70_000, 40_000, 0.001),
])
@pytest.mark.parametrize("dtypes", [(np.float32, np.float32), (np.int64, np.float32), (np.float64, np.int32)])
def test_same_matrix_as_scipy(rows: int, left_cols: int, right_cols: int, density: float, dtypes: tuple) -> None:
    left = random_coo(rows, left_cols, density, dtypes[0])
    right = random_coo(rows, right_cols, density, dtypes[1])
    assert_same(hstack_coo(left, right), scipy.sparse.hstack([left, right]))


def test_features_combine_as_rasa_does_and_reject_mismatched_rows() -> None:
    left = random_coo(4, 30, 0.3, np.float32)
    right = random_coo(4, 50, 0.3, np.float32)
    ours = Features(left, "sequence", "text", "a")
    _combine_sparse_features(ours, Features(right, "sequence", "text", "b"))
    assert_same(ours.features, scipy.sparse.hstack([left, right]))
    with pytest.raises(ValueError, match="sequence dimensions do not match"):
        _combine_sparse_features(ours, Features(random_coo(5, 3, 0.5, np.float32), "sequence", "text", "c"))

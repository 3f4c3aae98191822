"""Sparse features are joined exactly as scipy.sparse.hstack joins them."""
from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse
from rasa.shared.nlu.training_data.features import Features

from bot.patches.sparse_features import _combine_sparse_features, hstack_coo

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


def features_of(matrices: list, origin: str = "f") -> list[Features]:
    return [Features(m, "sequence", "text", f"{origin}{i}") for i, m in enumerate(matrices)]


@pytest.mark.parametrize("widths", [(5,), (10, 4000), (300, 12, 7), (1675, 7055, 40, 23)])
@pytest.mark.parametrize("rows", [1, 7])
@pytest.mark.parametrize("dtypes", [(np.int64, np.float32), (np.float32, np.float32), (np.int64, np.int64)])
def test_a_messages_features_combine_as_rasa_combines_them(widths: tuple, rows: int, dtypes: tuple) -> None:
    """Rasa: deep copy of the first, then pairwise joins; here: one join. Same matrix."""
    from rasa.shared.nlu.training_data.message import Message

    from bot.patches.sparse_features import _combine_features

    featurizers = ["RegexFeaturizer", "CountVectorsFeaturizer"]
    sparse = [random_coo(rows, w, 0.05, dtypes[i % 2]) for i, w in enumerate(widths)]
    dense = [RNG.random((rows, w)).astype(dtypes[i % 2]) for i, w in enumerate(widths)]
    for matrices in (sparse, dense):
        given = features_of(matrices)
        theirs = uninstalled_rasa_combine(Message, given, featurizers)
        ours = _combine_features(given, featurizers)
        assert (ours.type, ours.attribute, ours.origin) == (theirs.type, theirs.attribute, theirs.origin)
        if matrices is sparse:
            assert_same(ours.features, theirs.features)
        else:
            assert ours.features.dtype == theirs.features.dtype
            assert np.array_equal(ours.features, theirs.features)
        assert all(ours.features is not f.features for f in given)  # nothing shared with the message


def uninstalled_rasa_combine(message_class, given, featurizers):
    """Rasa's own combination, whatever this test process has installed."""
    from bot.patches import sparse_features

    before = (Features.__dict__["_combine_sparse_features"], message_class.__dict__["_combine_features"])
    sparse_features.uninstall()
    try:
        return message_class._combine_features(given, featurizers)
    finally:
        Features._combine_sparse_features, message_class._combine_features = before


def test_mismatched_features_get_rasas_errors() -> None:
    from bot.patches.sparse_features import _combine_features

    with pytest.raises(ValueError, match="sequence dimensions do not match"):
        _combine_features(features_of([random_coo(4, 3, 0.5, np.float32), random_coo(5, 3, 0.5, np.float32)]), [])
    with pytest.raises(ValueError, match="Cannot combine sparse and dense"):
        _combine_features(features_of([random_coo(4, 3, 0.5, np.float32), np.ones((4, 3))]), [])
    assert _combine_features([], []) is None

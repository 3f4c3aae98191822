"""Join a message's sparse features side by side without scipy's general block builder.

Before DIET reads a message, Rasa joins the sparse features of each featurizer (regex,
lexical, word counts, character n-grams) with ``scipy.sparse.hstack``, five joins a
message. ``hstack`` goes through ``bmat``, built for grids of blocks of any format:
about 0.3 ms a join here, for matrices of a few dozen entries. Two COO matrices with
the same rows are joined by concatenating their entries, which is what ``bmat`` does
in the end: same entries in the same order, same dtypes (tests/runtime/
test_sparse_features.py). Anything else still goes through scipy.
"""
from __future__ import annotations

import numpy as np
import scipy.sparse
from rasa.shared.nlu.training_data.features import Features
from scipy.sparse._sputils import get_index_dtype, upcast

_rasa_combine = Features._combine_sparse_features


def hstack_coo(left: scipy.sparse.coo_matrix, right: scipy.sparse.coo_matrix) -> scipy.sparse.coo_matrix:
    """``scipy.sparse.hstack([left, right])`` for two COO matrices with the same rows."""
    shape = (left.shape[0], left.shape[1] + right.shape[1])
    index_dtype = get_index_dtype(maxval=max(shape))
    data = np.concatenate([left.data, right.data]).astype(upcast(left.dtype, right.dtype), copy=False)
    row = np.concatenate([left.row, right.row]).astype(index_dtype, copy=False)
    col = np.concatenate([left.col.astype(index_dtype, copy=False),
                          np.add(right.col, left.shape[1], dtype=index_dtype)])
    return scipy.sparse.coo_matrix((data, (row, col)), shape=shape)


def _combine_sparse_features(self: Features, additional_features: Features) -> None:
    left, right = self.features, additional_features.features
    if (type(left) is scipy.sparse.coo_matrix and type(right) is scipy.sparse.coo_matrix
            and left.shape[0] == right.shape[0] > 0):
        self.features = hstack_coo(left, right)
        self._cached_fingerprint = None
        return
    _rasa_combine(self, additional_features)  # its checks and errors, and other formats


def install() -> None:
    Features._combine_sparse_features = _combine_sparse_features  # type: ignore[method-assign]


def uninstall() -> None:
    Features._combine_sparse_features = _rasa_combine  # type: ignore[method-assign]

"""Join a message's sparse features side by side without scipy's general block builder.

Before DIET reads a message, Rasa joins the sparse features of each featurizer (regex,
lexical, word counts, character n-grams) with ``scipy.sparse.hstack``, five joins a
message. ``hstack`` goes through ``bmat``, built for grids of blocks of any format:
about 0.3 ms a join here, for matrices of a few dozen entries. Two COO matrices with
the same rows are joined by concatenating their entries, which is what ``bmat`` does
in the end: same entries in the same order, same dtypes (tests/patches/
test_sparse_features.py). Anything else still goes through scipy.

Rasa also combines a message's features of one kind (say, the four sparse sequence
matrices) by deep-copying the first, then joining the others to it one at a time: a
deep copy through pickling and three intermediate matrices, twice for sparse and twice for
dense features, on every parse. ``_combine_features`` joins them all at once into a new
matrix (nothing shared with the message, as with the copy): the same matrix and dtypes as
the pairwise joins.
"""
from __future__ import annotations

from typing import List, Optional, Text

import numpy as np
import scipy.sparse
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from scipy.sparse._sputils import get_index_dtype, upcast

WRITTEN_FOR = {"rasa": "3.6.21", "scipy": "1.10.1"}  # the versions this patch was written and tested against

_rasa_combine = Features._combine_sparse_features
_rasa_combine_features = Message._combine_features


def hstack_coo(left: scipy.sparse.coo_matrix, right: scipy.sparse.coo_matrix) -> scipy.sparse.coo_matrix:
    """``scipy.sparse.hstack([left, right])`` for two COO matrices with the same rows."""
    return hstack_coos([left, right])


def _combine_sparse_features(self: Features, additional_features: Features) -> None:
    left, right = self.features, additional_features.features
    if (type(left) is scipy.sparse.coo_matrix and type(right) is scipy.sparse.coo_matrix
            and left.shape[0] == right.shape[0] > 0):
        self.features = hstack_coo(left, right)
        self._cached_fingerprint = None
        return
    _rasa_combine(self, additional_features)  # its checks and errors, and other formats


def hstack_coos(matrices: List[scipy.sparse.coo_matrix]) -> scipy.sparse.coo_matrix:
    """``hstack_coo`` applied left to right over several COO matrices with the same rows, at once."""
    rows = matrices[0].shape[0]
    width = sum(m.shape[1] for m in matrices)
    index_dtype = get_index_dtype(maxval=max(rows, width))
    data_dtype = matrices[0].dtype
    for matrix in matrices[1:]:
        data_dtype = upcast(data_dtype, matrix.dtype)
    offsets = np.cumsum([0] + [m.shape[1] for m in matrices[:-1]])
    data = np.concatenate([m.data for m in matrices]).astype(data_dtype, copy=False)
    row = np.concatenate([m.row for m in matrices]).astype(index_dtype, copy=False)
    col = np.concatenate([np.add(m.col, offset, dtype=index_dtype) for m, offset in zip(matrices, offsets)])
    return scipy.sparse.coo_matrix((data, (row, col)), shape=(rows, width))


def _combine_features(features: List[Features], featurizers: List[Text]) -> Optional[Features]:
    """Rasa's ``Message._combine_features`` in one join; anything unusual goes Rasa's way."""
    if len(features) < 2:
        return _rasa_combine_features(features, featurizers)
    matrices = [f.features for f in features]
    if all(type(m) is scipy.sparse.coo_matrix for m in matrices) and \
            len({m.shape[0] for m in matrices}) == 1 and matrices[0].shape[0] > 0:
        joined = hstack_coos(matrices)
    elif all(type(m) is np.ndarray for m in matrices) and len({m.ndim for m in matrices}) == 1:
        joined = np.concatenate(matrices, axis=-1)
    else:
        return _rasa_combine_features(features, featurizers)  # its errors for mismatches
    first = features[0]
    return Features(joined, first.type, first.attribute, featurizers)


def install() -> None:
    Features._combine_sparse_features = _combine_sparse_features  # type: ignore[method-assign]
    Message._combine_features = staticmethod(_combine_features)  # type: ignore[method-assign,assignment]


def uninstall() -> None:
    Features._combine_sparse_features = _rasa_combine  # type: ignore[method-assign]
    Message._combine_features = staticmethod(_rasa_combine_features)  # type: ignore[method-assign,assignment]

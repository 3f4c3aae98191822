"""Word and character n-gram counts for one message without sklearn's batch machinery.

Rasa's `CountVectorsFeaturizer` asks sklearn's `CountVectorizer.transform` for the counts of a
message twice (a row per token, then one row for the whole text), sorts the CSR matrix and
converts it to COO. sklearn is built for batches of documents: for one short message, its
checks, CSR assembly and the conversion cost about 0.4 ms per featurizer and call, while
cutting the n-grams takes 15 to 35 µs. `counts` uses the vectorizer's own analyzer and
vocabulary and builds the COO matrix directly, entries in the same order, same dtypes, same
shape (tests/patches/test_count_vectors.py compares both on every NLU message, for the two
featurizers of config.yml). Training (`fit`) still goes through sklearn.
"""
from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional, Sequence, Text, Tuple

import numpy as np
import scipy.sparse
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.nlu.constants import DENSE_FEATURIZABLE_ATTRIBUTES
from sklearn.feature_extraction.text import CountVectorizer

WRITTEN_FOR = {"rasa": "3.6.21", "scikit-learn": "1.1.3", "scipy": "1.10.1"}  # the versions this patch was written and tested against

_rasa_create_features = CountVectorsFeaturizer._create_features


class _Prepared:
    """A vectorizer's analyzer, and its vocabulary with plain ints (Rasa loads NumPy ints,
    slower to hash and sort): built once per vectorizer, rebuilt if its vocabulary changes."""

    __slots__ = ("vectorizer", "source", "size", "analyze", "vocabulary")

    def __init__(self, vectorizer: CountVectorizer) -> None:
        self.vectorizer, self.source = vectorizer, vectorizer.vocabulary_
        self.size = len(self.source)
        self.analyze: Callable[[str], List[str]] = vectorizer.build_analyzer()
        self.vocabulary = {feature: int(column) for feature, column in self.source.items()}

    def fits(self, vectorizer: CountVectorizer) -> bool:
        return (self.vectorizer is vectorizer and self.source is vectorizer.vocabulary_
                and self.size == len(vectorizer.vocabulary_))


def _prepare(vectorizer: CountVectorizer) -> _Prepared:
    """Kept on the vectorizer itself, so it goes when the model goes (a model reload leaks nothing)."""
    known = getattr(vectorizer, "_sesame_prepared", None)
    if known is None or not known.fits(vectorizer):
        known = _Prepared(vectorizer)
        vectorizer._sesame_prepared = known
    return known


def counts(vectorizer: CountVectorizer, documents: Sequence[str]) -> scipy.sparse.coo_matrix:
    """``vectorizer.transform(documents)``, indices sorted, as COO: what Rasa builds."""
    prepared = _prepare(vectorizer)
    vocabulary, analyze = prepared.vocabulary, prepared.analyze
    rows: List[int] = []
    columns: List[int] = []
    values: List[int] = []
    for row, document in enumerate(documents):
        counter: Dict[int, int] = {}
        for feature in analyze(document):
            column = vocabulary.get(feature)
            if column is not None:
                counter[column] = counter.get(column, 0) + 1
        for column in sorted(counter):
            rows.append(row)
            columns.append(column)
            values.append(counter[column])
    data = np.array(values, dtype=vectorizer.dtype)
    if vectorizer.binary:
        data.fill(1)
    return scipy.sparse.coo_matrix(
        (data, (np.array(rows, dtype=np.int32), np.array(columns, dtype=np.int32))),
        shape=(len(documents), prepared.size))


def _create_features(self: CountVectorsFeaturizer, attribute: Text, all_tokens: List[List[Text]]) -> Tuple[
        List[Optional[scipy.sparse.spmatrix]], List[Optional[scipy.sparse.spmatrix]]]:
    """Rasa's `_create_features` with the counts above; anything unusual goes Rasa's way."""
    vectorizer: Any = (self.vectorizers or {}).get(attribute)
    if not isinstance(vectorizer, CountVectorizer) or getattr(vectorizer, "vocabulary_", None) is None \
            or vectorizer.analyzer not in ("word", "char", "char_wb"):
        return _rasa_create_features(self, attribute, all_tokens)
    sequence_features: List[Optional[scipy.sparse.spmatrix]] = []
    sentence_features: List[Optional[scipy.sparse.spmatrix]] = []
    for tokens in all_tokens:
        if not tokens:
            sequence_features.append(None)
            sentence_features.append(None)
            continue
        sequence_features.append(counts(vectorizer, tokens))
        sentence_features.append(counts(vectorizer, [" ".join(tokens)])
                                 if attribute in DENSE_FEATURIZABLE_ATTRIBUTES else None)
    return sequence_features, sentence_features


def install() -> None:
    CountVectorsFeaturizer._create_features = _create_features  # type: ignore[method-assign]


def uninstall() -> None:
    CountVectorsFeaturizer._create_features = _rasa_create_features  # type: ignore[method-assign]

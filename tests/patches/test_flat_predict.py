"""bot.patches.flat_predict: the direct call gives the tf.function's outputs, and anything
that does not fit the signature still goes through the tf.function."""
from __future__ import annotations

import numpy as np
import tensorflow as tf

from bot.patches import flat_predict


class Model:
    """A stand-in with a traced prediction step shaped like Rasa's: one list of arrays in, a dict out."""

    def __init__(self) -> None:
        self.weights = tf.Variable(np.arange(12, dtype=np.float32).reshape(3, 4))
        signature = [[tf.TensorSpec([None, 3], tf.float32), tf.TensorSpec([None], tf.int64)]]
        self._tf_predict_step = tf.function(self.predict_step, input_signature=signature)

    def predict_step(self, batch_in: list) -> dict:
        features, lengths = batch_in
        return {"scores": tf.nn.softmax(tf.matmul(features, self.weights)),
                "diagnostic_data": {"lengths": lengths * 2}}


def batch(rows: int) -> tuple:
    rng = np.random.default_rng(rows)
    return rng.random((rows, 3), dtype=np.float64), np.arange(rows)  # dtypes the signature casts


def test_direct_call_gives_the_same_outputs() -> None:
    model = Model()
    expected = [model._tf_predict_step(batch(rows)) for rows in (1, 4, 9)]
    flat_predict.install(model)
    assert isinstance(model._tf_predict_step, flat_predict.FlatPredictStep)
    before = flat_predict.counts["direct"]
    for rows, wanted in zip((1, 4, 9), expected):
        got = model._tf_predict_step(batch(rows))
        assert np.array_equal(got["scores"].numpy(), wanted["scores"].numpy())
        assert np.array_equal(got["diagnostic_data"]["lengths"].numpy(),
                              wanted["diagnostic_data"]["lengths"].numpy())
    assert flat_predict.counts["direct"] == before + 3


def test_what_does_not_fit_goes_through_the_tf_function() -> None:
    model = Model()
    flat_predict.install(model)
    before = flat_predict.counts["dispatched"]
    try:
        model._tf_predict_step((np.ones(3), np.arange(1)))  # wrong rank: TensorFlow's own error
    except (ValueError, TypeError):
        pass
    assert flat_predict.counts["dispatched"] == before + 1


def test_install_is_idempotent_and_uninstall_restores() -> None:
    model = Model()
    function = model._tf_predict_step
    flat_predict.install(model)
    step = model._tf_predict_step
    flat_predict.install(model)
    assert model._tf_predict_step is step
    flat_predict.uninstall(model)
    assert model._tf_predict_step is function

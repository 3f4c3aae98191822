"""Call a model's traced prediction graph directly, without TensorFlow's dispatch.

Rasa calls DIET's (and TED's) prediction through a ``tf.function`` with a fixed input
signature. Every call, TensorFlow re-derives which traced graph fits the inputs: it
binds and casts each input to the signature, builds a type for the call and looks it
up, all in Python (about 1 ms of a 6 ms DIET call here). With a fixed signature
there is only ever one graph, so ``FlatPredictStep`` looks it up once, after the
first prediction has traced it, and then hands each call's arrays to that graph as
they are: converted to the signature's dtypes, in the signature's order, exactly what
``tf.function`` passes it. Same graph, same inputs, same outputs
(tests/patches/test_prediction_shortcuts.py compares every held-out parse both ways).

The arrays become tensors through ``convert_to_eager_tensor``, the function that
``tf.convert_to_tensor`` ends in for a NumPy array when running eagerly, without the
dispatch and conversion-registry layers on the way: 29 instead of 59 µs an input here,
and DIET has 10 inputs.

Anything that does not fit the signature goes through the ``tf.function`` as before.
"""
from __future__ import annotations

from typing import Any, Sequence

import tensorflow as tf
from tensorflow.python.eager import context
from tensorflow.python.framework import constant_op
from tensorflow.python.util import nest

WRITTEN_FOR = {"tensorflow": "2.12.0"}  # the versions this patch was written and tested against

# How many calls went the direct way or through tf.function, for the tests.
counts = {"direct": 0, "dispatched": 0}


class FlatPredictStep:
    """Stands in for a model's ``_tf_predict_step`` once it has been traced."""

    def __init__(self, function: Any) -> None:
        self.function = function
        self._concrete = function.get_concrete_function()
        self._specs: Sequence[tf.TensorSpec] = nest.flatten(function.input_signature)
        self._captured = self._concrete.captured_inputs

    def _fits(self, flat: Sequence[Any]) -> bool:
        return len(flat) == len(self._specs) and all(
            getattr(value, "ndim", -1) == len(spec.shape) for value, spec in zip(flat, self._specs))

    def __call__(self, batch_in: Any) -> Any:
        flat = nest.flatten(batch_in)
        if not self._fits(flat):
            counts["dispatched"] += 1
            return self.function(batch_in)
        counts["direct"] += 1
        ctx = context.context()
        tensors = [constant_op.convert_to_eager_tensor(value, ctx, spec.dtype)
                   for value, spec in zip(flat, self._specs)]
        return self._concrete._call_flat(tensors, self._captured)


def install(model: Any) -> None:
    """Give a loaded, traced model the direct call (idempotent)."""
    step = getattr(model, "_tf_predict_step", None)
    if step is None or isinstance(step, FlatPredictStep) or getattr(step, "input_signature", None) is None:
        return
    model._tf_predict_step = FlatPredictStep(step)


def uninstall(model: Any) -> None:
    """Back to the ``tf.function`` (the tests compare both)."""
    step = getattr(model, "_tf_predict_step", None)
    if isinstance(step, FlatPredictStep):
        model._tf_predict_step = step.function

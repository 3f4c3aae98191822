"""A faster model load: DIET and TED rebuilt without tracing a training graph.

Rasa 3.6 rebuilds DIET and TED at load time by *training them for one step* so that
Keras creates weights of the right shape, then overwrites those weights with the
trained ones. That one step runs through ``tf.function``: TensorFlow traces and
optimises the whole training graph (gradients, losses, optimizer), which it never
uses again. On this machine it was two thirds of the server's cold start (about 45 s).

``fast_load`` takes the same steps with the throw-away step run eagerly (no graph
tracing), then restores the model's own setting so predictions still run through the
traced, fast ``tf.function``. The weights come from the same checkpoint, so the
predictions are the same: tests/patches/test_fast_load.py compares both loads on the
real model. Fine-tuning (``rasa train --finetune``) keeps Rasa's own path.
"""
from __future__ import annotations

import logging
from functools import partial
from typing import Any, Optional

from rasa.utils.tensorflow.models import RasaModel

WRITTEN_FOR = {"rasa": "3.6.21", "tensorflow": "2.12.0"}

logger = logging.getLogger(__name__)
_rasa_load = RasaModel.load.__func__  # type: ignore[attr-defined]


def fast_load(
    cls: type[RasaModel],
    model_file_name: str,
    model_data_example: Any,
    predict_data_example: Optional[Any] = None,
    finetune_mode: bool = False,
    *args: Any,
    **kwargs: Any,
) -> RasaModel:
    """RasaModel.load, building the weights with one eager loss computation.

    Falls back to Rasa's own load if any trained value is left unrestored, so the
    worst case is a slow start, never a model with random weights.
    """
    rasa_load = partial(_rasa_load, cls, model_file_name, model_data_example, predict_data_example,
                        finetune_mode, *args, **kwargs)
    if finetune_mode:
        return rasa_load()
    try:
        model = _build_and_restore(cls, model_file_name, model_data_example, predict_data_example,
                                   *args, **kwargs)
    except Exception as error:  # noqa: BLE001 - any surprise means: take Rasa's slow, safe path
        logger.warning("fast model load failed (%s); using Rasa's own load", error)
        return rasa_load()
    return model


def _build_and_restore(cls: type[RasaModel], model_file_name: str, model_data_example: Any,
                       predict_data_example: Optional[Any], *args: Any, **kwargs: Any) -> RasaModel:
    import tensorflow as tf
    from rasa.utils.tensorflow.constants import LEARNING_RATE, RUN_EAGERLY
    from rasa.utils.tensorflow.data_generator import RasaBatchDataGenerator

    from bot.patches import flat_predict

    config = kwargs.get("config", {})
    model = cls(*args, **kwargs)
    # The optimizer is attached but never stepped: its training state is not needed to predict.
    model.compile(optimizer=tf.keras.optimizers.Adam(config.get(LEARNING_RATE, 0.001)),
                  run_eagerly=config.get(RUN_EAGERLY))
    batch_in, _ = RasaBatchDataGenerator(model_data_example, batch_size=1)[0]
    model._training = True
    model.batch_loss(batch_in)  # eager: creates the layers the model trained, without tracing
    status = model.load_weights(model_file_name)
    status.expect_partial()  # the optimizer's slots stay in the checkpoint, unused
    if predict_data_example:
        if not model.run_eagerly:
            _compile_prediction_without_autograph(model, predict_data_example)
        model.run_inference(predict_data_example)  # trace the prediction graph now, not on a resident's turn
        if not model.run_eagerly:
            flat_predict.install(model)  # later calls go straight to that graph
    unrestored = _unrestored_model_values(status)
    if unrestored:
        raise RuntimeError(f"{len(unrestored)} trained values not restored, e.g. {unrestored[0]}")
    return model


def _compile_prediction_without_autograph(model: RasaModel, predict_data_example: Any) -> None:
    """Give the model its prediction ``tf.function`` built without AutoGraph.

    AutoGraph rewrites every Python function the prediction calls (about 200) before
    tracing; that rewriting was most of the remaining load time. Rasa's prediction code
    branches with ``tf.cond``/``tf.where``, not Python ``if`` on tensors, so plain tracing
    gives the same graph; were it not so, tracing would raise and ``fast_load`` fall back.
    """
    import tensorflow as tf
    from rasa.utils.train_utils import create_data_generators

    generator, _ = create_data_generators(model_data=predict_data_example, batch_sizes=1, epochs=1,
                                          shuffle=False)
    batch_in = next(iter(generator))[0]
    model._tf_predict_step = tf.function(model.predict_step, input_signature=model._dynamic_signature(batch_in),
                                         autograph=False)


def _unrestored_model_values(status: Any) -> list[str]:
    """Checkpoint nodes holding model values that no live object took.

    Like TensorFlow's ``assert_consumed`` but ignoring the optimizer, whose training
    state is not used for prediction.
    """
    from tensorflow.python.checkpoint.checkpoint import ObjectGraphProtoPrettyPrinter

    status.assert_existing_objects_matched()
    coordinator = status._checkpoint  # TensorFlow keeps the restore bookkeeping here
    names = ObjectGraphProtoPrettyPrinter(coordinator.object_graph_proto).node_names
    return [names[node_id] for node_id, node in enumerate(coordinator.object_graph_proto.nodes)
            if node.attributes and node_id not in coordinator.object_by_proto_id
            and ".optimizer" not in names[node_id]]



def install() -> None:
    """Load DIET and TED through ``fast_load``."""
    RasaModel.load = classmethod(fast_load)  # type: ignore[method-assign]

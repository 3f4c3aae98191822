"""Run TED only when its answer can change what Sésame does next.

Rasa runs every policy for every prediction, twice a turn (after the resident's
message, and after the bot's reply). Most of Sésame's turns are decided by a rule or
a memorised story with confidence 1.0, which TED can never beat: the ensemble picks
the highest confidence, then the highest priority, and TED (priority 1) tops out at
1.0. TED cost about 15 ms a call here, two thirds of a turn's prediction time.

So TED's prediction is handed to the ensemble unevaluated. The ensemble evaluates it
unless another prediction is sure to win, exactly by the ensemble's own rules
(``DefaultPolicyPredictionEnsemble._pick_best_policy``). The chosen action, policy and
confidence are the same as with every policy run; tests/patches/
test_prediction_shortcuts.py checks that on the real model.

TED is deferred only when it cannot make an end-to-end prediction (trained without
text features, as here) and gives softmax confidences (never above 1.0).
"""
from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional

from rasa.core.policies.ensemble import DefaultPolicyPredictionEnsemble
from rasa.core.policies.policy import PolicyPrediction
from rasa.core.policies.ted_policy import TEDPolicy
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActionExecutionRejected
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import TEXT
from rasa.utils.tensorflow.constants import MODEL_CONFIDENCE, SOFTMAX

WRITTEN_FOR = {"rasa": "3.6.21"}  # the versions this patch was written and tested against

_ted_predict = TEDPolicy.predict_action_probabilities
_combine = DefaultPolicyPredictionEnsemble.combine_predictions_from_kwargs

# How many TED predictions were computed or skipped, for the benchmark and the tests.
counts = {"computed": 0, "skipped": 0}


class DeferredPrediction(PolicyPrediction):
    """A TED prediction that runs the model the first time its values are read."""

    def __init__(self, policy: TEDPolicy, compute: Callable[[], PolicyPrediction],
                 skipped: Callable[[], PolicyPrediction]) -> None:
        # What is known without the model: TED adds no events and, when deferred,
        # makes neither end-to-end nor "no user" predictions.
        self.policy_name = policy.__class__.__name__
        self.policy_priority = policy.priority
        self.events: List[Any] = []
        self.is_end_to_end_prediction = False
        self.is_no_user_prediction = False
        self.hide_rule_turn = False
        self._compute = compute
        self._skipped = skipped
        self._result: Optional[PolicyPrediction] = None

    def resolve(self) -> PolicyPrediction:
        """Run TED now (once)."""
        if self._result is None:
            self._result = self._compute()
            counts["computed"] += 1
            if self._result.is_end_to_end_prediction or self._result.is_no_user_prediction:
                raise RuntimeError("TED made a prediction kind it was deferred for not making")
        return self._result

    def skip(self) -> None:
        """Stand in with all-zero confidences: the ensemble's choice does not depend on TED."""
        if self._result is None:
            self._result = self._skipped()
            counts["skipped"] += 1

    @property  # type: ignore[override]
    def probabilities(self) -> List[float]:
        return self.resolve().probabilities

    @property  # type: ignore[override]
    def optional_events(self) -> List[Any]:
        return self.resolve().optional_events

    @property  # type: ignore[override]
    def diagnostic_data(self) -> Dict[str, Any]:
        return self.resolve().diagnostic_data

    @property  # type: ignore[override]
    def action_metadata(self) -> Optional[Dict[str, Any]]:
        return self.resolve().action_metadata


def can_defer(policy: TEDPolicy) -> bool:
    """Whether TED's prediction kinds are known before it runs (see the module docstring)."""
    return (policy.model is not None and TEXT not in policy.fake_features and not policy.only_e2e
            and policy.config.get(MODEL_CONFIDENCE) == SOFTMAX)


def predict_action_probabilities(self: TEDPolicy, tracker: DialogueStateTracker, domain: Domain,
                                 rule_only_data: Optional[Dict[str, Any]] = None,
                                 precomputations: Optional[Any] = None, **kwargs: Any) -> PolicyPrediction:
    """TED's prediction, deferred when allowed."""
    if not can_defer(self):
        return _ted_predict(self, tracker, domain, rule_only_data=rule_only_data,
                            precomputations=precomputations, **kwargs)
    return DeferredPrediction(
        self,
        compute=lambda: _ted_predict(self, tracker, domain, rule_only_data=rule_only_data,
                                     precomputations=precomputations, **kwargs),
        skipped=lambda: self._prediction(self._default_predictions(domain)),
    )


def last_action_was_rejected(tracker: DialogueStateTracker) -> bool:
    """As the ensemble checks it: a rejected action gets confidence 0 in every prediction."""
    for event in reversed(tracker.events):
        if isinstance(event, (ActionExecutionRejected, ActionExecuted)):
            return isinstance(event, ActionExecutionRejected)
    return False


def cannot_win(deferred: PolicyPrediction, settled: List[PolicyPrediction],
               tracker: DialogueStateTracker) -> bool:
    """True when the ensemble's pick is the same whatever the deferred prediction says.

    Mirrors ``_pick_best_policy``: a "no user" prediction shuts out the others, then an
    end-to-end one does, then the highest (confidence, priority) wins. The deferred
    prediction is neither, and its confidence is at most 1.0.
    """
    if last_action_was_rejected(tracker):
        return False
    if any(p.is_no_user_prediction for p in settled):
        return True
    if any(p.is_end_to_end_prediction for p in settled):
        return True
    return any(p.max_confidence >= 1.0 and p.policy_priority > deferred.policy_priority for p in settled)


def combine_predictions_from_kwargs(self: DefaultPolicyPredictionEnsemble, tracker: DialogueStateTracker,
                                    domain: Domain, **kwargs: Any) -> PolicyPrediction:
    """The ensemble's own choice, running deferred predictions only when they can matter."""
    predictions = [value for value in kwargs.values() if isinstance(value, PolicyPrediction)]
    settled = [p for p in predictions if not isinstance(p, DeferredPrediction)]
    for prediction in predictions:
        if isinstance(prediction, DeferredPrediction):
            if cannot_win(prediction, settled, tracker):
                prediction.skip()
            else:
                prediction.resolve()
    return _combine(self, tracker, domain, **kwargs)


def install() -> None:
    """Patch TED and the default ensemble (idempotent)."""
    TEDPolicy.predict_action_probabilities = predict_action_probabilities  # type: ignore[method-assign]
    DefaultPolicyPredictionEnsemble.combine_predictions_from_kwargs = (  # type: ignore[method-assign]
        combine_predictions_from_kwargs)


def uninstall() -> None:
    """Back to Rasa's own behaviour (tests compare both)."""
    TEDPolicy.predict_action_probabilities = _ted_predict  # type: ignore[method-assign]
    DefaultPolicyPredictionEnsemble.combine_predictions_from_kwargs = _combine  # type: ignore[method-assign]

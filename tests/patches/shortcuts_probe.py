"""Replay dialogue states and messages through the real model, Rasa's way (dask runner,
every policy run) and the stack's way (bot.patches.graph_runner, TED deferred, rules memo,
sparse joins, direct counts, states computed once, no debug copies, direct TensorFlow calls), and print
both results (run in a subprocess by test_prediction_shortcuts.py).

The states come from every training story and rule, cut before each bot action, plus
seeded random conversations (intents in any order) where no rule or story applies and
TED has to decide.
"""
from __future__ import annotations

import asyncio
import json
import logging
import random
import sys
from typing import Any

from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker


def story_trackers(domain: Any) -> list[list[Any]]:
    """Event lists of the training stories and rules, each with only known actions."""
    from rasa.shared.core.generator import TrainingDataGenerator
    from rasa.shared.importers.importer import TrainingDataImporter

    importer = TrainingDataImporter.load_from_config("config.yml", "domain", ["data"])
    generator = TrainingDataGenerator(importer.get_stories(), domain, augmentation_factor=0,
                                      use_story_concatenation=False, remove_duplicates=True)
    known = set(domain.action_names_or_texts)
    result = []
    for tracker in generator.generate():
        events = list(tracker.events)
        if all(e.action_name in known for e in events if isinstance(e, ActionExecuted)):
            result.append(events)
    return result


def decide(processor: Any, domain: Any, events: list[Any]) -> list[Any]:
    tracker = DialogueStateTracker.from_events("probe", events, domain.slots)
    prediction = processor._predict_next_with_tracker(tracker)
    return [domain.action_names_or_texts[prediction.max_confidence_index], prediction.policy_name,
            round(prediction.max_confidence, 5)]


def replay(processor: Any, domain: Any, trackers: list[list[Any]], walks: int, seed: int) -> list[Any]:
    decisions = []
    for events in trackers:
        for index, event in enumerate(events):
            if index > 0 and isinstance(event, ActionExecuted):
                decisions.append(decide(processor, domain, events[:index]))
    rng = random.Random(seed)
    intents = sorted(domain.intents)
    for walk in range(walks):
        events: list[Any] = [ActionExecuted(ACTION_LISTEN_NAME)]
        for _ in range(5):
            intent = rng.choice(intents)
            events.append(UserUttered(intent, {"name": intent, "confidence": 0.9}))
            for _ in range(4):  # the actions the bot would take after this message
                decision = decide(processor, domain, events)
                decisions.append(decision)
                events.append(ActionExecuted(decision[0]))
                if decision[0] == ACTION_LISTEN_NAME:
                    break
            else:
                events.append(ActionExecuted(ACTION_LISTEN_NAME))
    return decisions


def parses(agent: Any) -> list[Any]:
    """What the understanding graph returns for the held-out NLU utterances."""
    from fast_load_probe import utterances  # beside this script

    return [asyncio.run(agent.parse_message(text)) for text in utterances(limit=120)]


def rule_keys(agent: Any, trackers: list[list[Any]]) -> dict:
    """Rasa's applicable rules against the memo's, on every story prefix, asked twice."""
    from rasa.core.policies.rule_policy import RULES, RULES_FOR_LOOP_UNHAPPY_PATH, RulePolicy

    from bot.patches import rule_lookup

    nodes = agent.processor.graph_runner._instantiated_nodes.values()
    policy = next(n._component for n in nodes if isinstance(getattr(n, "_component", None), RulePolicy))
    checked, differences, found = 0, [], 0
    for events in trackers:
        for index in range(1, len(events) + 1):
            tracker = DialogueStateTracker.from_events("probe", events[:index], agent.domain.slots)
            states = policy._prediction_states(tracker, agent.domain, rule_only_data=policy._get_rule_only_data())
            for table in (RULES, RULES_FOR_LOOP_UNHAPPY_PATH):
                lookup = policy.lookup[table]
                rasa = rule_lookup._rasa_get_possible_keys(policy, lookup, states)
                for _ in range(2):
                    checked += 1
                    if rule_lookup.get_possible_keys(policy, lookup, states) != rasa:
                        differences.append(str(states)[-300:])
                found += bool(rasa)
    return {"checked": checked, "differences": differences[:5], "with_a_rule": found}


def predict_steps(agent: Any) -> list[Any]:
    """The TensorFlow models of the loaded graph (DIET, TED)."""
    nodes = agent.processor.graph_runner._instantiated_nodes.values()
    models = [getattr(getattr(node, "_component", None), "model", None) for node in nodes]
    return [model for model in models if hasattr(model, "_tf_predict_step")]


def main(model: str) -> None:
    logging.disable(logging.WARNING)
    from rasa.core.agent import Agent

    from bot.patches import (count_vectors, flat_predict, graph_runner, lazy_ted, quiet_debug, rule_lookup, sparse_features, states_cache)
    from bot import rasa_server

    rasa_server.install()  # the server's patches, lazy TED and the graph runner among them
    agent = Agent.load(model)
    domain = agent.domain
    trackers = story_trackers(domain)
    patches = [lazy_ted, graph_runner, rule_lookup, sparse_features, count_vectors, states_cache, quiet_debug]
    models = predict_steps(agent)
    for patch in patches:
        patch.uninstall()
    for tf_model in models:
        flat_predict.uninstall(tf_model)
    rasa_way = {"decisions": replay(agent.processor, domain, trackers, walks=60, seed=7),
                "parses": parses(agent)}
    for patch in patches:
        patch.install()
    for tf_model in models:
        flat_predict.install(tf_model)
    lazy_ted.counts.update(computed=0, skipped=0)
    flat_predict.counts.update(direct=0, dispatched=0)
    stack_way = {"decisions": replay(agent.processor, domain, trackers, walks=60, seed=7),
                 "parses": parses(agent)}
    print("RESULT " + json.dumps({"rasa": rasa_way, "stack": stack_way, "counts": dict(lazy_ted.counts),
                                   "tf_calls": dict(flat_predict.counts), "tf_models": len(models),
                                   "rule_keys": rule_keys(agent, trackers)}))


if __name__ == "__main__":
    main(sys.argv[1])

"""Replay dialogue states and messages through the real model, Rasa's way (dask runner,
every policy run) and the stack's way (bot.runtime.graph_runner, TED deferred), and print
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

    importer = TrainingDataImporter.load_from_config("config.yml", "domain.yml", ["data"])
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


def main(model: str) -> None:
    logging.disable(logging.WARNING)
    from rasa.core.agent import Agent

    from bot.runtime import graph_runner, lazy_ted, rasa_server

    rasa_server.install()  # the server's patches, lazy TED and the graph runner among them
    agent = Agent.load(model)
    domain = agent.domain
    trackers = story_trackers(domain)
    lazy_ted.uninstall()
    graph_runner.uninstall()
    rasa_way = {"decisions": replay(agent.processor, domain, trackers, walks=60, seed=7),
                "parses": parses(agent)}
    lazy_ted.install()
    graph_runner.install()
    lazy_ted.counts.update(computed=0, skipped=0)
    stack_way = {"decisions": replay(agent.processor, domain, trackers, walks=60, seed=7),
                 "parses": parses(agent)}
    print("RESULT " + json.dumps({"rasa": rasa_way, "stack": stack_way, "counts": dict(lazy_ted.counts)}))


if __name__ == "__main__":
    main(sys.argv[1])

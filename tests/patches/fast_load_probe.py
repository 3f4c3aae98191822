"""Load one model twice, with Rasa's load and with bot.rasa_server's, and print
what each predicts (run in a subprocess by test_fast_load.py: TensorFlow state stays there)."""
from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import sys
from pathlib import Path

import yaml

ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")
CONVERSATIONS = [
    ["bonjour", "je veux un rdv", "pour apprendre a envoyer un mail", "peu importe", "merci"],
    ["ma caf ma coupé", "la suite", "c koi le rsa", "je veux parler a qqun"],
    ["je cherche a manger", "au biollay", "voir plus", "jai nul part ou dormir ce soir", "au revoir"],
]


class FallbackSeen(logging.Handler):
    """Remembers whether the fast load gave up (then the comparison would prove nothing)."""

    seen = False

    def emit(self, record: logging.LogRecord) -> None:
        if "fast model load failed" in record.getMessage():
            FallbackSeen.seen = True


def utterances(limit: int = 80) -> list[str]:
    texts: list[str] = []
    for path in sorted(Path("tests/nlu").glob("*.yml")):
        for block in yaml.safe_load(path.read_text())["nlu"]:
            texts += [line[2:].strip() for line in block.get("examples", "").splitlines() if line.startswith("- ")]
    return [ANNOTATION.sub(r"\1", t) for t in texts[::max(1, len(texts) // limit)]]


async def predictions(model: str) -> dict:
    from rasa.core.agent import Agent
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
    from rasa.core.policies.ted_policy import TEDPolicy

    agent = Agent.load(model)
    nodes = agent.processor.graph_runner._instantiated_nodes.values()
    ted = next(n._component for n in nodes if isinstance(getattr(n, "_component", None), TEDPolicy))
    nlu = []
    for text in utterances():
        parsed = await agent.parse_message(text)
        nlu.append([text, parsed["intent"]["name"], parsed["intent"]["confidence"],
                    sorted((e["entity"], str(e["value"])) for e in parsed["entities"])])
    dialogue = []
    for index, conversation in enumerate(CONVERSATIONS):
        for text in conversation:
            message = UserMessage(text, CollectingOutputChannel(), sender_id=f"probe-{index}")
            tracker = await agent.processor.log_message(message, should_save_tracker=False)
            probabilities = ted.predict_action_probabilities(tracker, agent.domain, precomputations=None).probabilities
            dialogue.append([text, [float(p) for p in probabilities]])
            await agent.processor._run_prediction_loop(message.output_channel, tracker)
            await agent.processor.save_tracker(tracker)
    return {"ted_loaded": ted.model is not None, "nlu": nlu, "dialogue": dialogue}


def main() -> None:
    model, how = sys.argv[1], sys.argv[2]
    logging.getLogger("bot.patches.fast_load").addHandler(FallbackSeen())
    if how == "fast":
        from bot import rasa_server

        rasa_server.install()
    result = asyncio.run(predictions(model))
    result["fell_back"] = FallbackSeen.seen
    result["onednn"] = os.environ.get("TF_ENABLE_ONEDNN_OPTS", "default")
    print("RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()

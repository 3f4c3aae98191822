"""How a model answers noise, sighs and hesitations: a probe, not a test.

Residents under stress send "pfff", "bof" or keyboard noise. The held-out set does not
measure what the model makes of those, and a confident wrong answer ("au revoir", or "oui"
inside a booking recap) is worse than asking again. Usage:
``python -m tools.noise_probe models/<model>.tar.gz`` (docs/nlu-evaluation.md).
"""
from __future__ import annotations

import asyncio
import collections
import sys

MESSAGES = [
    "zrgl pfff bwaa kss", "qsdfgh wxcvbn poiuy", "azerty", "blablabla", "ghjk lmno", "xkcd",
    "fdsfsdf sdfsdf", "mmmmh", "pfff", "bof", "mouais", "euh", "grrr", "rooh", "hmm", "argh",
    "lol", "mdr", "pff nul", "kss", "??", "...", "aaaaaa", "jjjjj kkkk", "wesh", "tkt",
    "bla bla", "ouf", "hein", "oups",
]


async def probe(model_path: str) -> collections.Counter:
    """Print each message's intent and confidence; return how many went to each intent."""
    from rasa.core.agent import load_agent

    agent = await load_agent(model_path)
    counts: collections.Counter = collections.Counter()
    for message in MESSAGES:
        intent = (await agent.parse_message(message))["intent"]
        counts[intent["name"]] += 1
        print(f"{message:22} -> {intent['name']:16} {intent['confidence']:.2f}")
    return counts


def main() -> None:
    counts = asyncio.run(probe(sys.argv[1]))
    print(", ".join(f"{name}: {n}" for name, n in counts.most_common()))


if __name__ == "__main__":
    main()

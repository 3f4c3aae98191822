"""Which domain responses are too long for a basic phone? (`python -m bot.channels.sms_audit`)

Renders every response as the SMS channel would (the `channel: sms` variant when
there is one, buttons numbered, GSM-7 folded) and lists those needing more than
one SMS of 2 segments, so their owners can add a shorter `channel: sms` variant.
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

from messaging.gsm7 import segment_info
from bot.channels.render import from_rasa, render_sms

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class SmsCost:
    """How one response variant travels by SMS."""

    response: str
    has_sms_variant: bool
    messages: int
    segments: int
    encoding: str


def audit(domain: dict) -> list[SmsCost]:
    """The SMS cost of every response, using its `channel: sms` variant where present."""
    costs = []
    for name, variants in sorted((domain.get("responses") or {}).items()):
        sms = [v for v in variants if v.get("channel") == "sms"]
        chosen = sms or [v for v in variants if not v.get("channel")] or variants
        worst = None
        for variant in chosen:
            reply = render_sms([from_rasa(variant)])
            infos = [segment_info(part) for part in reply.parts]
            cost = SmsCost(name, bool(sms), len(reply.parts), sum(i.segments for i in infos),
                           "UCS-2" if any(i.encoding == "UCS-2" for i in infos) else "GSM-7")
            if worst is None or (cost.messages, cost.segments) > (worst.messages, worst.segments):
                worst = cost
        if worst is not None:
            costs.append(worst)
    return costs


def too_long(costs: list[SmsCost]) -> list[SmsCost]:
    return [c for c in costs if c.messages > 1]


def read_responses(domain: Path) -> dict:
    """The responses of one domain file, or of every file of a domain folder (as Rasa merges them)."""
    files = sorted(domain.glob("*.yml")) if domain.is_dir() else [domain]
    responses: dict = {}
    for path in files:
        responses.update((yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("responses") or {})
    return {"responses": responses}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("domain", nargs="?", default=str(ROOT / "domain"), help="a domain file or folder")
    args = parser.parse_args()
    costs = audit(read_responses(Path(args.domain)))
    for cost in costs:
        flag = "TOO LONG" if cost.messages > 1 else "ok"
        print(f"{flag:8} {cost.response:40} sms_variant={'yes' if cost.has_sms_variant else 'no ':3} "
              f"{cost.messages} SMS, {cost.segments} segments, {cost.encoding}")
    sys.exit(1 if too_long(costs) else 0)


if __name__ == "__main__":
    main()

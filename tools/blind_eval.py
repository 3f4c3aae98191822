"""`make eval-blind`: score the blind evaluation sets over the REST channel of the running stack.

The sets in tests/blind/ were written by someone who never saw the training data. Each
message goes to a fresh conversation; the replies of that turn must contain one of the
expected keywords (and, for urgent messages, every expected number), and a message that is
not urgent must never get a crisis number. Results: reports/blind-eval.json.
"""
from __future__ import annotations

import argparse
import json
import re
import time
import unicodedata
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable

import yaml

from tools.model import ROOT

SETS = ("residents", "figurative", "urgent")
CRISIS_NUMBERS = ("115", "3919", "17", "119", "3114", "15", "112", "114")
# A crisis line is given when a reply tells the resident to call or text one of these numbers.
CRISIS = re.compile(r"\b(?:appelez|appeler|appelle|composez|envoyez un sms au|sms au)\s+(?:le\s+)?"
                    r"(115|3919|17|119|3114|15|112|114)\b", re.IGNORECASE)
TEXT_ONLY_KINDS = {"handoff", "booking"}  # every result ends with such buttons: only the text counts


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower().replace("’", "'")


def contains(haystack: str, needle: str) -> bool:
    """Accent- and case-insensitive; short words and acronyms (up to 4 letters) as whole words."""
    folded, wanted = fold(haystack), fold(needle).strip()
    if len(wanted) <= 4:
        return re.search(rf"(?<![\w]){re.escape(wanted)}(?![\w])", folded) is not None
    return wanted in folded


def crisis_numbers(text: str) -> set[str]:
    return set(CRISIS.findall(text))


@dataclass
class Outcome:
    text: str
    kind: str
    right: bool
    crisis_given: list[str]
    reply: str = ""
    reasons: list[str] = field(default_factory=list)


def score(entry: dict[str, Any], replies: list[dict[str, Any]]) -> Outcome:
    """Judge one message's replies against what its writer expected."""
    kind = entry.get("kind", "")
    texts = "\n".join(str(r.get("text") or "") for r in replies)
    buttons = "\n".join(str(b.get("title") or "") for r in replies for b in r.get("buttons") or [])
    searched = texts if kind in TEXT_ONLY_KINDS else texts + "\n" + buttons
    reasons = []
    wanted = (entry.get("expect") or {}).get("any_of") or []
    if wanted and not any(contains(searched, w) for w in wanted):
        reasons.append("expected one of " + ", ".join(wanted))
    numbers = entry.get("numbers") or []
    missing = [n for n in numbers if not re.search(rf"(?<!\d){n}(?!\d)", texts)]
    if missing:
        reasons.append("missing number " + ", ".join(missing))
    given = sorted(crisis_numbers(texts))
    if entry.get("crisis") == "forbidden" and given:
        reasons.append("crisis line given: " + ", ".join(given))
    return Outcome(entry["text"], kind, not reasons, given, texts[:300], reasons)


def load_sets(folder: Path = ROOT / "tests" / "blind") -> dict[str, list[dict[str, Any]]]:
    return {name: yaml.safe_load((folder / f"{name}.yml").read_text(encoding="utf-8"))["messages"]
            for name in SETS}


def summarise(results: dict[str, list[Outcome]]) -> dict[str, Any]:
    report: dict[str, Any] = {}
    for name, outcomes in results.items():
        n = len(outcomes)
        right = sum(o.right for o in outcomes)
        report[name] = {
            "messages": n,
            "right": right,
            "right_share": round(right / n, 3) if n else 0.0,
            "false_alarms": sum(1 for o in outcomes if o.kind != "urgent" and o.crisis_given),
            "by_kind": {kind: {"messages": len(group), "right": sum(o.right for o in group)}
                        for kind in sorted({o.kind for o in outcomes})
                        for group in [[o for o in outcomes if o.kind == kind]]},
            "failures": [asdict(o) for o in outcomes if not o.right],
        }
    return report


FIRST = ROOT / "tests" / "blind"
SECOND = FIRST / "second"  # written later by another writer, never looked at one by one while tuning


def run(say: Callable[[str, str], list[dict]], workers: int = 4, folder: Path = FIRST) -> dict[str, Any]:
    """Send every message to a new conversation (``say(sender, text)``) and score the replies."""
    sets = load_sets(folder)
    results: dict[str, list[Outcome]] = {}
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for name, entries in sets.items():
            replies = pool.map(lambda e: say("blind-" + uuid.uuid4().hex[:12], e["text"]), entries)
            results[name] = [score(e, r) for e, r in zip(entries, replies)]
    return summarise(results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default=str(ROOT / "reports" / "blind-eval.json"))
    parser.add_argument("--model", help="a trained model (default: the one for the current inputs)")
    args = parser.parse_args()
    import tempfile

    from tools.model import ensure_model
    from tools.stack import Stack, free_port

    with tempfile.TemporaryDirectory(prefix="sesame-blind-") as var:
        model = Path(args.model) if args.model else ensure_model()
        stack = Stack(model=model, var_dir=Path(var), rasa_port=free_port(), actions_port=free_port(),
                      web_port=free_port(), with_web=False, with_worker=False).start()
        try:
            began = time.monotonic()
            report = run(stack.say)
            report["second"] = run(stack.say, folder=SECOND)
            report["seconds"] = round(time.monotonic() - began, 1)
            report["model"] = model.name
        finally:
            stack.stop()
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    for label, parts in (("first", report), ("second", report["second"])):
        for name in SETS:
            part = parts[name]
            print(f"{label:6s} {name:11s} {part['right']}/{part['messages']} right ({part['right_share']:.1%}), "
                  f"{part['false_alarms']} crisis lines given to non-urgent messages")
    print(f"report: {args.out}")


if __name__ == "__main__":
    main()

"""`make bench-mixed`: every kind of turn a resident takes, over REST, at several concurrencies.

A measurement, not a test. ``make bench`` times six mostly-NLU turns; this one replays what
residents do: a greeting, a catalogue search, a guide (start and next step), a whole booking
(motif → place → slot → first name → phone → confirm), a handoff up to the case, a privacy
export and a message the bot does not understand. Each conversation is one resident (its own
sender id) who goes through all of them; ``concurrency`` residents talk at once, each holding
conversations one after another until ``--conversations`` are done at that level.

It starts the real stack (Rasa, action server, web, worker; bot/runtime/stack.py) from the
trained model in a temporary var dir, never trains, and writes reports/bench-mixed.json:
per kind of turn its count, p50, p95, max and errors (non-200, no answer, or an empty reply),
"off_script" (a reply without the text the flow expects next: the flow is then abandoned and
its remaining turns counted as skipped), and the level's throughput.

    python -m bot.runtime.bench_mixed [--concurrency 1 8 16] [--conversations N]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Union

import aiohttp

ROOT = Path(__file__).resolve().parents[2]
REPORT = ROOT / "reports" / "bench-mixed.json"

Replies = list
# What a resident says: a fixed text, or a text chosen from the bot's last replies (a button).
Message = Union[str, Callable[[Replies], Union[str, None]]]


@dataclass(frozen=True)
class Turn:
    kind: str
    message: Message
    expect: tuple[str, ...] = ()  # one of these must be in the reply's text, or the flow is off script


def texts(replies: Replies) -> str:
    return "\n".join(str(r.get("text") or "") for r in replies if isinstance(r, dict))


def first_offer(replies: Replies) -> str | None:
    """The payload of the first offered time (not "un autre jour")."""
    for reply in replies:
        for button in reply.get("buttons", []) if isinstance(reply, dict) else []:
            if button.get("payload") and button["payload"] != "un autre jour":
                return button["payload"]
    return None


# Flows are run in this order in every conversation; the steps are those of the end-to-end tests
# (tests/booking/test_e2e_rest.py, tests/e2e/test_handoff.py, tests/e2e/test_privacy_channels.py).
FLOWS: list[list[Turn]] = [
    [Turn("greeting", "bonjour", ("Sésame",))],
    [Turn("catalogue_search", "je cherche une aide pour mes papiers")],
    [Turn("guide_start", "c'est quoi le RSA"), Turn("guide_step", "la suite")],
    [Turn("not_understood", "wxqz jjkl")],
    [
        Turn("booking_start", "je voudrais un rdv pour apprendre a envoyer un mail", ("Où voulez-vous aller",)),
        Turn("booking_place", "peu importe"),
        Turn("booking_slot", first_offer, ("prénom",)),
        Turn("booking_first_name", "Nadia", ("portable",)),
        Turn("booking_phone", "06 12 34 56 78", ("Nadia",)),
        Turn("booking_confirm", "oui", ("référence",)),
    ],
    [
        Turn("handoff_request", "je veux qu'un conseiller me rappelle", ("Êtes-vous d'accord",)),
        Turn("handoff_consent", "oui", ("Comment voulez-vous",)),
        Turn("handoff_mode", "par telephone", ("numéro de téléphone",)),
        Turn("handoff_phone", "06 12 34 56 78", ("Quand êtes-vous disponible",)),
        Turn("handoff_case", "le matin", ("C'est transmis",)),
    ],
    [Turn("privacy_export", "quelles données avez-vous sur moi ?", ("Voici ce que je garde", "Votre demande"))],
]
KINDS = [turn.kind for flow in FLOWS for turn in flow]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


class Recorder:
    """Latencies and failures per kind of turn (one event loop: no lock needed)."""

    def __init__(self) -> None:
        self.latencies: dict[str, list[float]] = {kind: [] for kind in KINDS}
        self.errors = dict.fromkeys(KINDS, 0)
        self.off_script = dict.fromkeys(KINDS, 0)
        self.skipped = dict.fromkeys(KINDS, 0)
        self.samples: dict[str, str] = {}  # the first unexpected reply of each kind, to see why
        self.first_replies: dict[str, str] = {}  # the first reply of each kind, to see what was timed

    def summary(self) -> dict[str, dict]:
        kinds = {}
        for kind in KINDS:
            values = self.latencies[kind]
            kinds[kind] = {
                "count": len(values),
                "p50_ms": round(percentile(values, 0.5), 1) if values else None,
                "p95_ms": round(percentile(values, 0.95), 1) if values else None,
                "max_ms": round(max(values), 1) if values else None,
                "errors": self.errors[kind],
                "off_script": self.off_script[kind],
                "skipped": self.skipped[kind],
            }
        return kinds


async def say(session: aiohttp.ClientSession, url: str, sender: str, text: str,
              timeout: float) -> tuple[int, Replies]:
    async with session.post(url, json={"sender": sender, "message": text},
                            timeout=aiohttp.ClientTimeout(total=timeout)) as response:
        body = await response.read()
        if response.status != 200:
            return response.status, []
        replies = json.loads(body)
        return 200, replies if isinstance(replies, list) else []


async def conversation(session: aiohttp.ClientSession, url: str, sender: str, recorder: Recorder,
                       timeout: float) -> None:
    for flow in FLOWS:
        last: Replies = []
        for index, turn in enumerate(flow):
            text = turn.message(last) if callable(turn.message) else turn.message
            if text is None:  # nothing to choose from: the previous turn went off script
                recorder.off_script[turn.kind] += 1
                recorder.samples.setdefault(turn.kind, texts(last)[:300])
                for rest in flow[index + 1:]:
                    recorder.skipped[rest.kind] += 1
                break
            start = time.perf_counter()
            try:
                status, last = await say(session, url, sender, text, timeout)
            except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
                status, last = 0, []
            elapsed_ms = (time.perf_counter() - start) * 1000
            if status != 200 or not any(texts(last).strip() or r.get("buttons") or r.get("image")
                                        for r in last if isinstance(r, dict)):
                recorder.errors[turn.kind] += 1  # timed nowhere: an error is not a fast turn
                ok = False
            else:
                recorder.latencies[turn.kind].append(elapsed_ms)
                recorder.first_replies.setdefault(turn.kind, texts(last)[:160])
                ok = not turn.expect or any(e in texts(last) for e in turn.expect)
                if not ok:
                    recorder.off_script[turn.kind] += 1
                    recorder.samples.setdefault(turn.kind, texts(last)[:300])
            if not ok:
                for rest in flow[index + 1:]:
                    recorder.skipped[rest.kind] += 1
                break


async def run_level(url: str, concurrency: int, conversations: int, timeout: float = 60,
                    tag: str = "mixed") -> dict:
    """``concurrency`` residents at once, ``conversations`` conversations in all at this level."""
    recorder = Recorder()
    queue: asyncio.Queue[int] = asyncio.Queue()
    for index in range(conversations):
        queue.put_nowait(index)
    run_id = uuid.uuid4().hex[:6]

    async def resident(session: aiohttp.ClientSession) -> None:
        while True:
            try:
                index = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            await conversation(session, url, f"bench-{tag}-{run_id}-c{concurrency}-{index}", recorder, timeout)

    connector = aiohttp.TCPConnector(limit=concurrency, force_close=False)
    load_before = os.getloadavg()[0]
    async with aiohttp.ClientSession(connector=connector) as session:
        start = time.perf_counter()
        await asyncio.gather(*(resident(session) for _ in range(concurrency)))
        elapsed = time.perf_counter() - start
    kinds = recorder.summary()
    all_latencies = [v for values in recorder.latencies.values() for v in values]
    turns = len(all_latencies)
    return {
        "concurrency": concurrency,
        "conversations": conversations,
        "turns": turns,
        "errors": sum(recorder.errors.values()),
        "off_script": sum(recorder.off_script.values()),
        "skipped": sum(recorder.skipped.values()),
        "elapsed_s": round(elapsed, 1),
        "throughput_turns_per_s": round(turns / elapsed, 1) if elapsed else None,
        "p50_ms": round(percentile(all_latencies, 0.5), 1) if all_latencies else None,
        "p95_ms": round(percentile(all_latencies, 0.95), 1) if all_latencies else None,
        "load_average_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "kinds": kinds,
        "off_script_samples": recorder.samples,
        "first_replies": recorder.first_replies,
    }


def run_workload(url: str, concurrencies: list[int], conversations: int, warmup: int = 1,
                 timeout: float = 60) -> dict:
    """Every level one after the other against one REST webhook URL (after untimed warm-up)."""
    report: dict = {"levels": []}
    if warmup:
        # A running stack has already answered every kind once (the catalogue index, the
        # guides, the agenda are loaded): those first-time costs are not what a resident waits for.
        asyncio.run(run_level(url, 1, warmup, timeout, tag="warmup"))
    for concurrency in concurrencies:
        print(f"Concurrency {concurrency}: {max(conversations, concurrency)} conversations…", flush=True)
        report["levels"].append(asyncio.run(run_level(url, concurrency, max(conversations, concurrency), timeout)))
    return report


def print_table(report: dict) -> None:
    levels = report["levels"]
    print("kind".ljust(20) + "".join(f"c={lv['concurrency']} p50/p95/max ms (n, err)".rjust(34) for lv in levels))
    for kind in KINDS:
        row = kind.ljust(20)
        for level in levels:
            k = level["kinds"][kind]
            cell = f"{k['p50_ms']}/{k['p95_ms']}/{k['max_ms']} ({k['count']}, {k['errors']})"
            row += cell.rjust(34)
        print(row)
    for level in levels:
        print(f"c={level['concurrency']}: {level['turns']} turns in {level['elapsed_s']} s, "
              f"{level['throughput_turns_per_s']} turns/s, errors {level['errors']}, "
              f"off script {level['off_script']}, skipped {level['skipped']}")


def main() -> None:
    from bot.runtime.model import model_path
    from bot.runtime.stack import Stack, free_port

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8, 16],
                        help="residents talking at once, one level after the other")
    parser.add_argument("--conversations", type=int, default=16,
                        help=f"conversations of {len(KINDS)} turns at each level (at least the concurrency)")
    parser.add_argument("--timeout", type=float, default=60, help="seconds before a turn counts as an error")
    args = parser.parse_args()

    model = model_path()
    if not model.exists():
        raise SystemExit(f"No trained model for the current inputs ({model.name}): run `make train` first.")
    report: dict = {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "model": model.name,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "load_average": os.getloadavg()},
        "turns_per_conversation": len(KINDS),
        "kinds": KINDS,
    }
    with tempfile.TemporaryDirectory() as var_dir:
        stack = Stack(model=model, var_dir=Path(var_dir), rasa_port=free_port(), actions_port=free_port(),
                      web_port=free_port())
        began = time.perf_counter()
        stack.start()
        try:
            stack.say("bench-mixed-cold", "bonjour", timeout=120)
            report["cold_start_to_first_answer_s"] = round(time.perf_counter() - began, 1)
            report.update(run_workload(f"{stack.rasa_url}/webhooks/rest/webhook", args.concurrency,
                                       args.conversations, timeout=args.timeout))
        finally:
            stack.stop()
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print_table(report)
    print(f"Written to {REPORT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()

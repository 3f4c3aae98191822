"""Every kind of turn a resident takes, over REST, at several concurrencies (part of `make bench`).

A measurement, not a test. Each conversation is one resident (its own sender id) who says
hello, then does one thing, chosen in realistic proportions (:data:`SCENARIOS`): search the
catalogue, read a guide (start and next step), book an appointment (motif → place → slot →
first name → phone → confirm) and cancel it, ask for a person (a handoff up to the case),
say something urgent, say something the bot does not understand, ask for their data, or say
thanks. ``concurrency`` residents talk at once, each holding conversations one after another
until the level's conversations are done.

Per kind of turn: count, p50, p95, p99, max and errors (non-200, no answer, or an empty
reply); "off_script" (a reply without the text the flow expects next: the flow is then
abandoned and its remaining turns counted as skipped); per level the throughput, and how each
action turn's p95 compares with the p95 of the turns Rasa answers from responses alone
(greeting, thanks, urgent), measured in the same run.

`make bench` (tools/bench.py) runs this beside the baseline probe in the same rounds
and writes reports/bench.json; ``python -m tools.bench_mixed`` runs it alone (its own
stack, reports/bench-mixed.json).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Sequence, Union

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
REPORT = ROOT / "reports" / "bench-mixed.json"
LEVELS = [1, 16, 64]

Replies = list
# What a resident says: a fixed text, or a text chosen from what the bot said so far
# (every reply of this conversation, newest last) and the conversation's number.
Chooser = Callable[[list[Replies], int], Union[str, None]]
Message = Union[str, Chooser]


@dataclass(frozen=True)
class Turn:
    kind: str
    message: Message
    expect: tuple[str, ...] = ()  # one of these must be in the reply's text, or the flow is off script


@dataclass(frozen=True)
class Scenario:
    """What one resident does after hello, and how many residents in ``weight`` do it."""

    name: str
    weight: int
    flow: tuple[Turn, ...]


def texts(replies: Replies) -> str:
    return "\n".join(str(r.get("text") or "") for r in replies if isinstance(r, dict))


def spread_offer(history: list[Replies], index: int) -> str | None:
    """One of the offered times (not "un autre jour"), a different one for each conversation,
    so that concurrent residents do not all try to book the same slot."""
    offers = [button["payload"] for reply in (history[-1] if history else [])
              for button in (reply.get("buttons", []) if isinstance(reply, dict) else [])
              if button.get("payload") and button["payload"] != "un autre jour"]
    return offers[index % len(offers)] if offers else None


def booking_reference(history: list[Replies], _index: int) -> str | None:
    """The reference the booking's confirmation gave."""
    for replies in reversed(history):
        found = re.search(r"référence : ([2-9A-HJ-NP-Z]{6})", texts(replies))
        if found:
            return found.group(1)
    return None


# Response-only turns: Rasa answers them from domain responses, no custom action.
RESPONSE_ONLY = ("greeting", "thanks", "urgent")
HELLO = Turn("greeting", "bonjour", ("Sésame",))

# The steps are those of the end-to-end tests (tests/booking/test_e2e_rest.py,
# tests/e2e/test_handoff.py, tests/e2e/test_privacy_channels.py). The weights are a guess at
# what residents do, to be replaced by the counts of real conversations once there are some.
SCENARIOS: list[Scenario] = [
    Scenario("search", 5, (Turn("catalogue_search", "je cherche une aide pour mes papiers"),)),
    Scenario("guide", 3, (Turn("guide_start", "comment on demande le rsa"),
                          Turn("guide_step", "la suite"))),
    Scenario("booking", 2, (
        Turn("booking_start", "je voudrais un rdv pour apprendre a envoyer un mail", ("Où voulez-vous aller",)),
        Turn("booking_place", "peu importe"),
        Turn("booking_slot", spread_offer, ("prénom",)),
        Turn("booking_first_name", "Nadia", ("portable",)),
        Turn("booking_phone", "06 12 34 56 78", ("Nadia",)),
        Turn("booking_confirm", "oui", ("référence",)),
        Turn("cancel_request", "je veux annuler mon rendez-vous", ("référence",)),
        Turn("cancel_reference", booking_reference, ("Voulez-vous annuler",)),
        Turn("cancel_confirm", "oui", ("annulé",)),
    )),
    Scenario("handoff", 1, (
        Turn("handoff_request", "je veux qu'un conseiller me rappelle", ("Êtes-vous d'accord",)),
        Turn("handoff_consent", "oui", ("Comment voulez-vous",)),
        Turn("handoff_mode", "par telephone", ("numéro de téléphone",)),
        Turn("handoff_phone", "06 12 34 56 78", ("Quand êtes-vous disponible",)),
        Turn("handoff_case", "le matin", ("C'est transmis",)),
    )),
    Scenario("urgent", 1, (Turn("urgent", "jai nul part ou dormir ce soir", ("115",)),)),
    Scenario("not_understood", 2, (Turn("not_understood", "wxqz jjkl"),)),
    Scenario("privacy", 1, (Turn("privacy_export", "quelles données avez-vous sur moi ?",
                                 ("Voici ce que je garde", "Votre demande")),)),
    Scenario("thanks", 2, (Turn("thanks", "merci beaucoup", ("autre question",)),)),
]
KINDS = [HELLO.kind] + [turn.kind for scenario in SCENARIOS for turn in scenario.flow]
# The probe of the baseline (tools/baseline.py) knows three intents: its residents only talk.
PROBE_SCENARIOS = [Scenario("probe", 1, (Turn("greeting", "bonjour"), Turn("thanks", "merci")))]


def schedule_of(scenarios: Sequence[Scenario]) -> list[Scenario]:
    """The weights interleaved: every scenario once, then those of weight 2 or more, and so on."""
    return [s for rank in range(max(s.weight for s in scenarios)) for s in scenarios if s.weight > rank]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


class Recorder:
    """Latencies and failures per kind of turn (one event loop: no lock needed)."""

    def __init__(self, kinds: Sequence[str]) -> None:
        self.kinds = list(dict.fromkeys(kinds))
        self.latencies: dict[str, list[float]] = {kind: [] for kind in self.kinds}
        self.errors = dict.fromkeys(self.kinds, 0)
        self.off_script = dict.fromkeys(self.kinds, 0)
        self.skipped = dict.fromkeys(self.kinds, 0)
        self.samples: dict[str, str] = {}  # the first unexpected reply of each kind, to see why
        self.first_replies: dict[str, str] = {}  # the first reply of each kind, to see what was timed

    def summary(self) -> dict[str, dict]:
        kinds = {}
        for kind in self.kinds:
            values = self.latencies[kind]
            kinds[kind] = {
                "count": len(values),
                "p50_ms": round(percentile(values, 0.5), 1) if values else None,
                "p95_ms": round(percentile(values, 0.95), 1) if values else None,
                "p99_ms": round(percentile(values, 0.99), 1) if values else None,
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


async def conversation(session: aiohttp.ClientSession, url: str, sender: str, index: int,
                       flow: Sequence[Turn], recorder: Recorder, timeout: float) -> None:
    """One resident's turns, in order; the first one off script ends the conversation."""
    history: list[Replies] = []
    for position, turn in enumerate(flow):
        text = turn.message(history, index) if callable(turn.message) else turn.message
        if text is None:  # nothing to choose from: the previous turn went off script
            recorder.off_script[turn.kind] += 1
            recorder.samples.setdefault(turn.kind, texts(history[-1] if history else [])[:300])
            ok = False
        else:
            start = time.perf_counter()
            try:
                status, last = await say(session, url, sender, text, timeout)
            except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
                status, last = 0, []
            elapsed_ms = (time.perf_counter() - start) * 1000
            history.append(last)
            if status != 200 or not any(texts([r]).strip() or r.get("buttons") or r.get("image")
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
            for rest in flow[position + 1:]:
                recorder.skipped[rest.kind] += 1
            return


def compare_to_responses(kinds: dict[str, dict], recorder: Recorder) -> dict:
    """Each action turn's p95 over the p95 of all response-only turns of the same level."""
    pooled = [v for kind in RESPONSE_ONLY for v in recorder.latencies.get(kind, [])]
    if not pooled:
        return {}
    reference = percentile(pooled, 0.95)
    ratios = {kind: round(figures["p95_ms"] / reference, 2) for kind, figures in kinds.items()
              if kind not in RESPONSE_ONLY and figures["p95_ms"] is not None}
    return {"response_only_p95_ms": round(reference, 1), "action_p95_over_response_only_p95": ratios,
            "worst_ratio": max(ratios.values()) if ratios else None,
            "every_action_turn_within_2x": all(r <= 2 for r in ratios.values())}


async def run_level(url: str, concurrency: int, conversations: int, timeout: float = 60,
                    tag: str = "mixed", scenarios: Sequence[Scenario] | None = None,
                    hello: Turn | None = HELLO) -> dict:
    """``concurrency`` residents at once, ``conversations`` conversations in all at this level.

    Conversation i says hello then does ``schedule[i % len(schedule)]`` (the weights interleaved).
    """
    scenarios = list(SCENARIOS if scenarios is None else scenarios)
    schedule = schedule_of(scenarios)
    prefix = (hello,) if hello else ()
    recorder = Recorder([t.kind for t in prefix] + [t.kind for s in scenarios for t in s.flow])
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
            flow = prefix + schedule[index % len(schedule)].flow
            await conversation(session, url, f"bench-{tag}-{run_id}-c{concurrency}-{index}", index,
                               flow, recorder, timeout)

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
        "scenarios": {s.name: sum(1 for i in range(conversations) if schedule[i % len(schedule)] is s)
                      for s in scenarios},
        "turns": turns,
        "errors": sum(recorder.errors.values()),
        "off_script": sum(recorder.off_script.values()),
        "skipped": sum(recorder.skipped.values()),
        "elapsed_s": round(elapsed, 1),
        "throughput_turns_per_s": round(turns / elapsed, 1) if elapsed else None,
        "p50_ms": round(percentile(all_latencies, 0.5), 1) if all_latencies else None,
        "p95_ms": round(percentile(all_latencies, 0.95), 1) if all_latencies else None,
        "p99_ms": round(percentile(all_latencies, 0.99), 1) if all_latencies else None,
        "load_average_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "kinds": kinds,
        "against_response_only": compare_to_responses(kinds, recorder),
        "off_script_samples": recorder.samples,
        "first_replies": recorder.first_replies,
    }


def conversations_at(concurrency: int, conversations: int) -> int:
    """At least two conversations per resident talking at once, so every level reaches a steady state."""
    return max(conversations, 2 * concurrency)


def run_workload(url: str, concurrencies: Sequence[int], conversations: int, warmup: int = 1,
                 timeout: float = 60, scenarios: Sequence[Scenario] | None = None,
                 hello: Turn | None = HELLO) -> dict:
    """Every level one after the other against one REST webhook URL (after untimed warm-up)."""
    report: dict = {"levels": []}
    scenarios = list(SCENARIOS if scenarios is None else scenarios)
    if warmup:
        # A running stack has already answered every kind once (the catalogue index, the
        # guides, the agenda are loaded): those first-time costs are not what a resident waits for.
        # The first len(scenarios) conversations of the schedule are one of each scenario.
        asyncio.run(run_level(url, 1, max(warmup, len(scenarios)), timeout, tag="warmup",
                              scenarios=scenarios, hello=hello))
    for concurrency in concurrencies:
        count = conversations_at(concurrency, conversations)
        print(f"Concurrency {concurrency}: {count} conversations…", flush=True)
        report["levels"].append(asyncio.run(run_level(url, concurrency, count, timeout,
                                                      scenarios=scenarios, hello=hello)))
    return report


def print_table(report: dict) -> None:
    levels = report["levels"]
    kinds = list(levels[0]["kinds"]) if levels else []
    print("kind".ljust(20) + "".join(f"c={lv['concurrency']} p50/p95/p99 ms (n, err)".rjust(34) for lv in levels))
    for kind in kinds:
        row = kind.ljust(20)
        for level in levels:
            k = level["kinds"][kind]
            row += f"{k['p50_ms']}/{k['p95_ms']}/{k['p99_ms']} ({k['count']}, {k['errors']})".rjust(34)
        print(row)
    for level in levels:
        against = level.get("against_response_only") or {}
        print(f"c={level['concurrency']}: {level['turns']} turns in {level['elapsed_s']} s, "
              f"{level['throughput_turns_per_s']} turns/s, errors {level['errors']}, "
              f"off script {level['off_script']}, skipped {level['skipped']}; worst action p95 / "
              f"response-only p95 = {against.get('worst_ratio')}")


def main() -> None:
    from tools.model import model_path
    from tools.stack import Stack, free_port

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--concurrency", type=int, nargs="+", default=LEVELS,
                        help="residents talking at once, one level after the other")
    parser.add_argument("--conversations", type=int, default=34,
                        help="conversations at each level (at least twice the concurrency)")
    parser.add_argument("--timeout", type=float, default=60, help="seconds before a turn counts as an error")
    args = parser.parse_args()

    model = model_path()
    if not model.exists():
        raise SystemExit(f"No trained model for the current inputs ({model.name}): run `make train` first.")
    report: dict = {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "model": model.name,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "load_average": os.getloadavg()},
        "scenarios": {s.name: {"weight": s.weight, "turns": [t.kind for t in s.flow]} for s in SCENARIOS},
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

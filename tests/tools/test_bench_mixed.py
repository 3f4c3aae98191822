"""The mixed workload of `make bench` against a fake REST channel: every kind of turn, counted.

Not a timed test: the fake server answers each message as Sésame would at that step (it
knows the previous message of each sender), so the report's shape, the proportions of the
scenarios and the off-script handling are checked, not speed.
"""
from __future__ import annotations

import asyncio
from typing import Awaitable, Callable

from aiohttp import web

from tools.bench_mixed import HELLO, KINDS, RESPONSE_ONLY, SCENARIOS, run_level, schedule_of
from tools.stack import free_port

OFFERS = [{"title": f"lundi à {h} h", "payload": f'/choose_slot{{"slot_id": {h}}}'} for h in (9, 10, 11)]
REFERENCE = "B3TR9Z"


def scripted_answers() -> dict[tuple[str, str], str]:
    """(previous message, message) → the text Sésame's reply contains at that step."""
    answers: dict[tuple[str, str], str] = {}
    for scenario in SCENARIOS:
        previous = HELLO.message
        answers[("", HELLO.message)] = HELLO.expect[0]
        for turn in scenario.flow:
            text = turn.message if isinstance(turn.message, str) else None
            if turn.kind == "booking_slot":
                text = "<slot>"
            if turn.kind == "cancel_reference":
                text = REFERENCE
            answers[(previous, text)] = turn.expect[0] if turn.expect else "D'accord."
            previous = text
    return answers


ANSWERS = scripted_answers()


async def serve(handler: Callable[[web.Request], Awaitable[web.Response]]) -> tuple[web.AppRunner, str]:
    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner, f"http://127.0.0.1:{port}/webhooks/rest/webhook"


def fake_sesame() -> tuple[Callable[[web.Request], Awaitable[web.Response]], list[str]]:
    last: dict[str, str] = {}
    chosen: list[str] = []

    async def answer(request: web.Request) -> web.Response:
        body = await request.json()
        sender, text = body["sender"], body["message"]
        key = "<slot>" if text.startswith("/choose_slot") else text
        if key == "<slot>":
            chosen.append(text)
        previous, last[sender] = last.get(sender, ""), key
        reply = ANSWERS.get((previous, key), "Je n'ai pas compris.")
        if key == "peu importe":  # the places' answer offers times as buttons
            return web.json_response([{"text": reply, "buttons": OFFERS + [
                {"title": "Un autre jour", "payload": "un autre jour"}]}])
        if reply == "référence":
            reply = f"C'est réservé, référence : {REFERENCE}."
        return web.json_response([{"text": reply}])

    return answer, chosen


def test_every_kind_of_turn_is_counted_in_the_scenarios_proportions() -> None:
    handler, chosen = fake_sesame()

    async def run() -> dict:
        runner, url = await serve(handler)
        try:
            return await run_level(url, concurrency=4, conversations=len(schedule_of(SCENARIOS)), timeout=10)
        finally:
            await runner.cleanup()

    level = asyncio.run(run())
    assert level["errors"] == level["off_script"] == level["skipped"] == 0, level["off_script_samples"]
    assert set(level["kinds"]) == set(KINDS)
    assert level["scenarios"] == {s.name: s.weight for s in SCENARIOS}
    for scenario in SCENARIOS:
        for turn in scenario.flow:
            assert level["kinds"][turn.kind]["count"] == scenario.weight, turn.kind
    assert level["kinds"]["greeting"]["count"] == level["conversations"]
    for figures in level["kinds"].values():
        assert 0 <= figures["p50_ms"] <= figures["p95_ms"] <= figures["p99_ms"] <= figures["max_ms"]
    assert level["throughput_turns_per_s"] > 0
    # Concurrent residents book different slots, not all the first one offered.
    assert len(set(chosen)) == min(len(chosen), len(OFFERS))
    against = level["against_response_only"]
    assert set(against["action_p95_over_response_only_p95"]) == set(KINDS) - set(RESPONSE_ONLY)


def test_an_empty_reply_is_an_error_and_the_rest_of_its_conversation_is_skipped() -> None:
    async def silent(request: web.Request) -> web.Response:
        return web.json_response([])

    async def run() -> dict:
        runner, url = await serve(silent)
        try:
            return await run_level(url, 2, 3, timeout=10)
        finally:
            await runner.cleanup()

    level = asyncio.run(run())
    assert level["turns"] == 0
    assert level["kinds"]["greeting"]["errors"] == 3
    assert level["kinds"]["catalogue_search"]["skipped"] == 1
    assert level["kinds"]["booking_confirm"]["skipped"] == 1 and level["kinds"]["cancel_confirm"]["skipped"] == 1

"""`make bench-mixed`'s workload against a fake REST channel: every kind of turn, counted, no error.

Not a timed test: the fake server answers each message as Sésame would for the step the script
expects next, so the report's shape (per-kind counts, errors, throughput) is checked, not speed.
"""
from __future__ import annotations

import asyncio

from aiohttp import web

from bot.runtime.bench_mixed import FLOWS, KINDS, run_level
from bot.runtime.stack import free_port

ANSWERS: dict[str, str] = {}
for turn in (t for flow in FLOWS for t in flow if isinstance(t.message, str)):
    # "oui" confirms a booking and consents to a handoff: the fake says both
    ANSWERS[turn.message] = " ".join(filter(None, [ANSWERS.get(turn.message), turn.expect[0] if turn.expect else "D'accord."]))


async def fake_rest(request: web.Request) -> web.Response:
    body = await request.json()
    assert body["sender"] and body["message"]
    text = body["message"]
    if text == "peu importe":  # the places' answer offers times as buttons
        return web.json_response([{"text": "Voici les prochains horaires :", "buttons": [
            {"title": "lundi à 10 h", "payload": "/choose_slot{\"slot_id\": 1}"},
            {"title": "Un autre jour", "payload": "un autre jour"}]}])
    if text == '/choose_slot{"slot_id": 1}':
        return web.json_response([{"text": "Quel est votre prénom ?"}])
    return web.json_response([{"text": ANSWERS.get(text, "Je n'ai pas compris.")}])


async def run_against_fake(concurrency: int, conversations: int) -> dict:
    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", fake_rest)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        return await run_level(f"http://127.0.0.1:{port}/webhooks/rest/webhook", concurrency, conversations, timeout=10)
    finally:
        await runner.cleanup()


def test_every_kind_of_turn_is_counted_at_concurrency_2() -> None:
    level = asyncio.run(run_against_fake(concurrency=2, conversations=4))
    assert level["concurrency"] == 2 and level["conversations"] == 4
    assert set(level["kinds"]) == set(KINDS) and len(KINDS) == 17
    for kind, figures in level["kinds"].items():
        assert figures["count"] == 4, (kind, figures, level["off_script_samples"])
        assert figures["errors"] == figures["off_script"] == figures["skipped"] == 0
        assert 0 <= figures["p50_ms"] <= figures["p95_ms"] <= figures["max_ms"]
    assert level["turns"] == 4 * len(KINDS) and level["errors"] == 0
    assert level["throughput_turns_per_s"] > 0


def test_an_empty_reply_is_an_error_and_the_rest_of_its_flow_is_skipped() -> None:
    async def run() -> dict:
        async def silent(request: web.Request) -> web.Response:
            return web.json_response([])
        app = web.Application()
        app.router.add_post("/webhooks/rest/webhook", silent)
        runner = web.AppRunner(app)
        await runner.setup()
        port = free_port()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        try:
            return await run_level(f"http://127.0.0.1:{port}/webhooks/rest/webhook", 2, 2, timeout=10)
        finally:
            await runner.cleanup()

    level = asyncio.run(run())
    assert level["turns"] == 0
    assert level["kinds"]["greeting"]["errors"] == 2
    assert level["kinds"]["booking_start"]["errors"] == 2 and level["kinds"]["booking_confirm"]["skipped"] == 2

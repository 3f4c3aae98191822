"""bot.patches.action_session: custom actions reuse one connection, and survive a restart
of the action server. A real aiohttp server on a free port stands in for the action server."""
from __future__ import annotations

import asyncio

from aiohttp import web
from rasa.utils.endpoints import EndpointConfig

from bot.patches import action_session
from tools.stack import free_port


class FakeActionServer:
    """Answers like the action server and remembers which client connection each call came on."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.peers: list[tuple] = []
        self.runner: web.AppRunner | None = None

    async def webhook(self, request: web.Request) -> web.Response:
        self.peers.append(request.transport.get_extra_info("peername"))
        body = await request.json()
        return web.json_response({"events": [], "responses": [{"text": f"ok {body['n']}"}]})

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/webhook", self.webhook)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        assert self.runner is not None
        await self.runner.cleanup()


def test_calls_share_one_connection_and_survive_a_restart() -> None:
    async def scenario() -> None:
        server = FakeActionServer(free_port())
        await server.start()
        endpoint = action_session.kept_alive(EndpointConfig(f"http://127.0.0.1:{server.port}/webhook"))
        try:
            for n in range(3):
                answer = await endpoint.request(json={"n": n}, method="post")
                assert answer["responses"] == [{"text": f"ok {n}"}]
            assert len(server.peers) == 3 and len(set(server.peers)) == 1  # one connection for three actions

            await server.stop()  # the action server restarts (deploy, crash)
            await server.start()
            answer = await endpoint.request(json={"n": 9}, method="post")
            assert answer["responses"] == [{"text": "ok 9"}]
            assert server.peers[-1] != server.peers[0]  # a new connection, no lost action
        finally:
            await action_session.close_sessions()
            await server.stop()
        assert not action_session._sessions

    asyncio.run(scenario())


def test_rasa_endpoint_opened_a_connection_per_call() -> None:
    """What the patch changes: Rasa's own endpoint connects anew for every action."""
    async def scenario() -> None:
        server = FakeActionServer(free_port())
        await server.start()
        try:
            endpoint = EndpointConfig(f"http://127.0.0.1:{server.port}/webhook")
            for n in range(2):
                await endpoint.request(json={"n": n}, method="post")
            assert len(set(server.peers)) == 2
        finally:
            await server.stop()

    asyncio.run(scenario())


def test_the_endpoint_keeps_rasa_settings() -> None:
    original = EndpointConfig("http://127.0.0.1:5055/webhook", params={"a": "1"}, headers={"X-Test": "y"},
                              token="secret", type="rest")
    kept = action_session.kept_alive(original)
    assert kept == original and kept.type == "rest" and kept.token == "secret"
    assert action_session.kept_alive(kept) is kept

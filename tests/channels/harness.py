"""Run a real Sanic server (Rasa's web framework) with one channel blueprint, on a free local port."""
from __future__ import annotations

import asyncio
import socket
import threading
import uuid
from contextlib import contextmanager
from typing import Any, Awaitable, Callable, Iterator

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Sanic


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serve_channel(
    channel: InputChannel, on_new_message: Callable[[UserMessage], Awaitable[Any]]
) -> Iterator[str]:
    """Mount ``channel`` the way Rasa does (under /webhooks/<name>) and yield the server's base URL."""
    Sanic.test_mode = True  # lets several apps start in one process (Sanic re-applies its touch-ups)
    app = Sanic(f"channel_test_{uuid.uuid4().hex[:8]}")
    app.blueprint(channel.blueprint(on_new_message), url_prefix=f"/webhooks/{channel.url_prefix()}")
    port = free_port()
    ready, stop, failure = threading.Event(), threading.Event(), []

    async def main() -> None:
        server = await app.create_server(
            host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False
        )
        await server.startup()
        await server.after_start()
        ready.set()
        while not stop.is_set():
            await asyncio.sleep(0.02)
        await server.before_stop()
        server.close()
        await server.wait_closed()
        for connection in list(server.connections):
            connection.close_if_idle()
        await asyncio.sleep(0.1)

    def run() -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(main())
        except BaseException as exc:  # surfaced to the test below
            failure.append(exc)
            ready.set()
        finally:
            loop.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    ready.wait(20)
    if failure:
        raise failure[0]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop.set()
        thread.join(10)

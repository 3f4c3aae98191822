"""Keep the HTTP connection to the action server open between custom actions.

Rasa opens a new ``aiohttp.ClientSession`` for each call to the action server, so
every custom action paid for a new session and a new TCP connection, then closed
both. Here the action endpoint's calls share one session per event loop, and its
pooled connections stay open for a short while (``IDLE_SECONDS``), well under the
action server's own keep-alive (Sanic's default is 5 s), so Sésame never sends on a
connection the server is closing. The requests, headers, timeouts and errors are
Rasa's own: only the session's lifetime changes.
"""
from __future__ import annotations

import asyncio
from typing import Any, Dict, Optional, Tuple

import aiohttp
from rasa.core import run as rasa_run
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT, EndpointConfig

WRITTEN_FOR = {"rasa": "3.6.21", "aiohttp": "3.9.5"}  # the versions this patch was written and tested against

IDLE_SECONDS = 2.0
_rasa_run = RemoteAction.run
_rasa_close_resources = rasa_run.close_resources
# (loop id, url, headers, auth) -> (the loop, its session)
_sessions: Dict[Tuple[int, Optional[str], str, str], Tuple[asyncio.AbstractEventLoop, aiohttp.ClientSession]] = {}


class _KeptSession:
    """``async with`` gives the shared session and leaves it open."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self._session = session

    async def __aenter__(self) -> aiohttp.ClientSession:
        return self._session

    async def __aexit__(self, *exc: Any) -> None:
        return None


class KeptAliveEndpoint(EndpointConfig):
    """The action endpoint, with one session per event loop kept between calls."""

    def session(self) -> Any:  # type: ignore[override]
        loop = asyncio.get_running_loop()
        key = (id(loop), self.url, repr(sorted(self.headers.items())), repr(sorted(self.basic_auth.items())))
        kept = _sessions.get(key)
        session = kept[1] if kept and kept[0] is loop else None  # the loop is kept too: its id stays its own
        if session is None or session.closed:
            auth = (aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"])
                    if self.basic_auth else None)
            session = aiohttp.ClientSession(  # as Rasa's EndpointConfig.session, plus the connector
                headers=self.headers, auth=auth, timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
                connector=aiohttp.TCPConnector(keepalive_timeout=IDLE_SECONDS))
            _sessions[key] = (loop, session)
        return _KeptSession(session)


def kept_alive(endpoint: EndpointConfig) -> EndpointConfig:
    """The same endpoint, as a ``KeptAliveEndpoint``."""
    if isinstance(endpoint, KeptAliveEndpoint):
        return endpoint
    kept = KeptAliveEndpoint(endpoint.url, endpoint.params, endpoint.headers, endpoint.basic_auth,
                             endpoint.token, endpoint.token_name, endpoint.cafile, **endpoint.kwargs)
    kept.type = endpoint.type
    return kept


async def run(self: RemoteAction, *args: Any, **kwargs: Any) -> Any:
    if self.action_endpoint is not None:
        self.action_endpoint = kept_alive(self.action_endpoint)
    return await _rasa_run(self, *args, **kwargs)


async def close_sessions() -> None:
    """Close the kept sessions of the running loop (the server is stopping)."""
    loop_id = id(asyncio.get_running_loop())
    for key in [key for key in _sessions if key[0] == loop_id]:
        await _sessions.pop(key)[1].close()


async def close_resources(app: Any, loop: Any) -> None:
    """Rasa's shutdown, then the kept sessions."""
    try:
        await _rasa_close_resources(app, loop)
    finally:
        await close_sessions()


def install() -> None:
    RemoteAction.run = run  # type: ignore[method-assign]
    rasa_run.close_resources = close_resources  # serve_application registers it when it starts


def uninstall() -> None:
    RemoteAction.run = _rasa_run  # type: ignore[method-assign]
    rasa_run.close_resources = _rasa_close_resources

"""Keep-alive HTTP connections between our own processes: one aiohttp session per event loop.

Rasa's calls to the action server and the action server's calls to the backend each opened a session
and a TCP connection per request (the handshake, aiohttp's session and connector set-up, the server's
connection handling): about 1.5 ms of CPU per call on the two ends together (docs/performance.md,
session 8). A pooled session keeps a few connections open and reuses them.

Idle connections are dropped after ``KEEPALIVE_SECONDS``, below the 5 s after which our Sanic servers
(backend, action server) close an idle connection, so a request is never sent into a socket the server
is closing at that moment. A server that restarted is reached on a new connection (its old ones were
closed by the kernel and left the pool); tests/test_backend_client_connections.py shows both.
"""
from __future__ import annotations

import asyncio
import atexit
from typing import Callable, Optional

import aiohttp

KEEPALIVE_SECONDS = 3.0


def keepalive_connector() -> aiohttp.TCPConnector:
    return aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_SECONDS)


class SessionPerLoop:
    """The pooled session of the running event loop, made by ``factory`` when first needed.

    A server runs one loop for its lifetime; tests run many (each ``asyncio.run``): a session whose loop
    is gone is dropped without awaiting anything and a new one made for the running loop. A process that
    never closed its pool (tests, scripts) drops it at exit, so it ends without unclosed-session warnings.
    """

    def __init__(self, factory: Callable[[], aiohttp.ClientSession]) -> None:
        self._factory = factory
        self._session: Optional[aiohttp.ClientSession] = None
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        atexit.register(self.forget)

    def get(self) -> aiohttp.ClientSession:
        loop = asyncio.get_running_loop()
        if self._session is None or self._session.closed or self._loop is not loop:
            self.forget()
            self._session, self._loop = self._factory(), loop
        return self._session

    def forget(self) -> None:
        """Drop the session without awaiting (its loop may be closed already)."""
        session, self._session, self._loop = self._session, None, None
        if session is not None and not session.closed:
            connector = session.connector
            session.detach()  # marked closed; the connector is ours to close
            if connector is not None:
                connector.close()  # closes the pooled sockets now, or nothing if their loop is gone

    async def close(self) -> None:
        """At shutdown of the serving process (its loop still running)."""
        session, self._session, self._loop = self._session, None, None
        if session is not None:
            await session.close()


class Borrowed:
    """`async with` over a pooled session that leaves it open (for code written as
    ``async with make_session() as session``)."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self._session = session

    async def __aenter__(self) -> aiohttp.ClientSession:
        return self._session

    async def __aexit__(self, *_exc) -> bool:
        return False

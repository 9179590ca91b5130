"""Rasa keeps its connections to the action server open between action calls.

Rasa 3.6's `EndpointConfig.request` opens a new aiohttp session, and so a new TCP connection, for every
custom-action call (`async with self.session() as session`); a task step makes one or two such calls.
Here the endpoint's `session()` lends a pooled session instead (one per event loop, `http_pool`): same
headers, auth and timeout as Rasa's own, connections kept for 3 s of idleness (under the action
server's 5 s keep-alive). Everything else of `request` — URL, parameters, TLS, error handling — is
Rasa's code unchanged.

Restart safety: a restarted action server is reached on a new connection (the old ones were closed by
the kernel and left the pool); a call that still meets a connection closing at that instant fails like
a call to a down action server did before (Rasa's error path, the turn's fallback).
"""
from __future__ import annotations

from typing import Any

_POOLS = "_pooled_sessions"


def _pooled_session_factory(endpoint: Any):
    import aiohttp
    from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT

    from http_pool import keepalive_connector

    def make() -> "aiohttp.ClientSession":
        # The same session settings as Rasa 3.6.21's EndpointConfig.session(), on a keep-alive connector.
        auth = (aiohttp.BasicAuth(endpoint.basic_auth["username"], endpoint.basic_auth["password"])
                if endpoint.basic_auth else None)
        return aiohttp.ClientSession(headers=endpoint.headers, auth=auth, connector=keepalive_connector(),
                                     timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT))
    return make


def apply() -> None:
    from rasa.utils.endpoints import EndpointConfig

    from http_pool import Borrowed, SessionPerLoop

    def session(self: EndpointConfig) -> Borrowed:
        pool = self.__dict__.get(_POOLS)
        if pool is None:
            pool = self.__dict__[_POOLS] = SessionPerLoop(_pooled_session_factory(self))
        return Borrowed(pool.get())

    EndpointConfig.session = session

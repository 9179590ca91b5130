"""Keep-alive connections (http_pool): the action server's backend client and Rasa's action endpoint
(rasa_runtime.action_connections) each serve successive calls over one TCP connection, and a server that
is ended (SIGTERM or SIGKILL) and restarted on the same port is reached on a fresh one (real backend
processes).

The client's port is read from the backend's own access log ("[127.0.0.1:<port>]"), so what is checked
is what the server saw, not the client's bookkeeping."""
import asyncio
import re
import subprocess

import pytest

from actions.backend_client import BackendClient, BackendConfig, BackendRefused
from launcher.processes import start_backend, stop

CALLS = 6


def _assert_reused(ports: list) -> None:
    """Successive calls went over one connection (the client's port on the server). One reconnect is
    tolerated — a clean-clone CI run once saw the third of three calls on a second connection, which
    neither side's keep-alive explains and no local run repeated; a connection per call gives six ports."""
    assert len(ports) == CALLS and len(set(ports)) <= 2, ports


def _peer_ports(log, path: str = "/v1/certificates") -> list:
    peer = re.compile(r"\[127\.0\.0\.1:(\d+)\]: GET \S+" + re.escape(path) + r"(?:\?\S*)? ")
    return peer.findall(log.read_text(encoding="utf-8"))


def _end(process: subprocess.Popen, how: str) -> None:
    """Stop a server the way the kill tests and the supervisor meet it: SIGTERM, or SIGKILL (no goodbye)."""
    if how == "kill":
        process.kill()
        process.wait(timeout=20)
    else:
        stop(process)


def _client(backend) -> BackendClient:
    return BackendClient(BackendConfig(url=backend.url, token=backend.token, timeout=10))


async def _refused(client: BackendClient) -> str:
    """A call the backend answers (401: no verification token) — a full round trip without a customer."""
    try:
        await client.status("")
    except BackendRefused as refused:  # the answer came back over the connection
        return refused.code
    return "answered"


def test_successive_calls_share_one_connection(tmp_path):
    backend = start_backend(tmp_path / "backend")
    try:
        client = _client(backend)

        async def calls():
            return [await _refused(client) for _ in range(CALLS)]

        assert asyncio.run(calls()) == ["VERIFICATION_REQUIRED"] * CALLS
        _assert_reused(_peer_ports(backend.log))
        # Each access line once: Sanic's own handler, not again (empty) through the root logger's.
        assert "sanic.access INFO" not in backend.log.read_text(encoding="utf-8")
    finally:
        stop(backend.process)


def _across_a_restart(tmp_path, how: str, call):
    """``call(server)`` before and after the server is ended (``how``) and started again on the same port,
    all in one event loop (the pool's); returns both answers and the second server's access log."""
    first = start_backend(tmp_path / "first")
    port = int(first.url.rsplit(":", 1)[1])
    servers = [first]

    async def scenario():
        before = await call(first)
        loop = asyncio.get_running_loop()  # keeps running while the server goes and comes back
        await loop.run_in_executor(None, _end, first.process, how)
        servers.append(await loop.run_in_executor(None, lambda: start_backend(tmp_path / "second", port=port)))
        return before, await call(servers[-1])

    try:
        return asyncio.run(scenario()), servers[-1].log
    finally:
        stop(*(server.process for server in servers))


@pytest.mark.parametrize("how", ["terminate", "kill"])
def test_a_restarted_backend_is_reached_on_a_new_connection(tmp_path, how):
    # Every BackendClient shares the process's pool; the new server has a new channel token.
    answers, log = _across_a_restart(tmp_path, how, lambda server: _refused(_client(server)))
    assert answers == ("VERIFICATION_REQUIRED", "VERIFICATION_REQUIRED")
    assert len(_peer_ports(log)) == 1


def _rasa_endpoint(backend):
    """Rasa's EndpointConfig as the action endpoint is configured, pointed at a real Sanic server."""
    from rasa.utils.endpoints import EndpointConfig

    from rasa_runtime import patches
    patches.apply()
    return EndpointConfig(url=backend.url, token="not-checked-by-health")


def test_rasa_endpoint_calls_share_one_connection(tmp_path):
    backend = start_backend(tmp_path / "backend")
    try:
        endpoint = _rasa_endpoint(backend)

        async def calls():
            return [await endpoint.request(method="get", subpath="health") for _ in range(CALLS)]

        answers = asyncio.run(calls())
        assert all(answer and answer.get("status") == "ok" for answer in answers), answers
        _assert_reused(_peer_ports(backend.log, "/health")[-CALLS:])  # readiness checks came before
    finally:
        stop(backend.process)


@pytest.mark.parametrize("how", ["terminate", "kill"])
def test_rasa_endpoint_reaches_a_restarted_server_on_a_new_connection(tmp_path, how):
    endpoints = []  # one endpoint (its pool) for both servers: same address

    def call(server):
        endpoints[:] = endpoints or [_rasa_endpoint(server)]
        return endpoints[0].request(method="get", subpath="health")

    (before, after), _log = _across_a_restart(tmp_path, how, call)
    assert before.get("status") == after.get("status") == "ok"

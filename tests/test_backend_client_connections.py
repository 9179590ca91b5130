"""The action server's backend client keeps its connections: one TCP connection serves successive calls,
and a backend that restarts meanwhile is reached on a fresh one (real backend processes, same port).

The client's port is read from the backend's own access log ("[127.0.0.1:<port>]"), so what is checked
is what the server saw, not the client's bookkeeping."""
import asyncio
import re

from actions.backend_client import BackendClient, BackendConfig, BackendRefused
from launcher.processes import start_backend, stop

PEER = re.compile(r"\[127\.0\.0\.1:(\d+)\]: GET \S+/v1/certificates ")


def _peer_ports(log) -> list:
    return PEER.findall(log.read_text(encoding="utf-8"))


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

        async def three_calls():
            return [await _refused(client) for _ in range(3)]

        assert asyncio.run(three_calls()) == ["VERIFICATION_REQUIRED"] * 3
        ports = _peer_ports(backend.log)
        assert len(ports) == 3 and len(set(ports)) == 1, ports  # before: a new connection (port) per call
    finally:
        stop(backend.process)


def test_a_restarted_backend_is_reached_on_a_new_connection(tmp_path):
    first = start_backend(tmp_path / "first")
    port = int(first.url.rsplit(":", 1)[1])
    second = None
    try:
        client = _client(first)

        async def across_a_restart():
            nonlocal second
            before = await _refused(client)
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(None, stop, first.process)  # the loop keeps running meanwhile
            second = await loop.run_in_executor(None, lambda: start_backend(tmp_path / "second", port=port))
            client.config = BackendConfig(url=second.url, token=second.token, timeout=10)
            return before, await _refused(client)

        assert asyncio.run(across_a_restart()) == ("VERIFICATION_REQUIRED", "VERIFICATION_REQUIRED")
        assert len(_peer_ports(second.log)) == 1
    finally:
        stop(first.process, *([second.process] if second else []))

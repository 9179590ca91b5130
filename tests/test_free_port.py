"""launcher.processes.free_port: ports for our services stay out of the range outgoing connections use."""
import socket

import pytest

from launcher import processes


def test_ports_come_from_below_the_ephemeral_range_and_are_bindable():
    # The CI failure this replays: a port from the ephemeral range (what binding to port 0 returns) was taken
    # as an outgoing connection's source port before nginx bound it. Every port handed out must be one no
    # outgoing connection can be given.
    ephemeral = processes.ephemeral_port_range()
    for _ in range(50):
        port = processes.free_port()
        assert processes.LOWEST_SERVICE_PORT <= port < ephemeral.start
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", port))


def test_a_taken_port_is_not_handed_out(monkeypatch):
    with socket.socket() as held:
        held.bind(("127.0.0.1", processes.free_port()))
        taken = held.getsockname()[1]
        monkeypatch.setattr(processes, "LOWEST_SERVICE_PORT", taken)
        monkeypatch.setattr(processes, "ephemeral_port_range", lambda: range(taken + 2, taken + 3))
        # Only `taken` and `taken + 1` are below the range; `taken` is held, so the answer is the other one.
        assert {processes.free_port() for _ in range(20)} == {taken + 1}


def test_without_room_below_the_range_the_kernel_chooses(monkeypatch):
    monkeypatch.setattr(processes, "ephemeral_port_range", lambda: range(processes.LOWEST_SERVICE_PORT, 65536))
    port = processes.free_port()
    assert 0 < port < 65536

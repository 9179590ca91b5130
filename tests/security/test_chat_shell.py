"""Finding 2 (`make shell`): `rasa shell` defaults to `--interface 0.0.0.0`, and the action server
started by scripts/run.sh bound 0.0.0.0 too.

Replayed: scripts/run.sh really runs (backend, action server, `rasa shell` reading a pipe) on free
ports; every port it opens listens on loopback only. Bounded: 240 s for the model to load, then the
script's process group is stopped.
"""
import os
import signal
import subprocess
import time

from launcher.processes import ROOT, free_port
from tests.security.test_chat_action_server import LOOPBACK, _listening_addresses


def test_make_shell_listens_on_loopback_only(tmp_path):
    ports = {"BACKEND_PORT": free_port(), "ACTIONS_PORT": free_port(), "RASA_PORT": free_port()}
    env = {**os.environ, **{k: str(v) for k, v in ports.items()}, "PYTHONPATH": str(ROOT),
           "LOG_DIR": str(tmp_path / "logs"), "BACKEND_DATA_DIR": str(tmp_path / "backend"),
           "RASA_TELEMETRY_ENABLED": "false"}
    output = (tmp_path / "shell.out").open("w")
    shell = subprocess.Popen(["scripts/run.sh"], cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=output,
                             stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and shell.poll() is None and not _listening_addresses(ports["RASA_PORT"]):
            time.sleep(1)
        assert shell.poll() is None, (tmp_path / "shell.out").read_text(errors="replace")[-2000:]
        for name, port in ports.items():
            addresses = _listening_addresses(port)
            assert addresses and addresses <= LOOPBACK, (name, addresses)
    finally:
        os.killpg(shell.pid, signal.SIGTERM)  # the script's own group: its trap stops what it started
        try:
            shell.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(shell.pid, signal.SIGKILL)
        output.close()

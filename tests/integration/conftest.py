"""Starts the real product (action server + Rasa REST channel) on free loopback ports."""
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "assistant.tar.gz"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(check, timeout: float, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"process exited early:\n{log.read_text()[-3000:]}")
        try:
            if check():
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise TimeoutError(f"not ready after {timeout}s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="session")
def rasa_url(tmp_path_factory):
    if not MODEL.exists():
        raise RuntimeError("No trained model: run `make train` first (make test does).")
    logs = tmp_path_factory.mktemp("logs")
    actions_port, rasa_port = free_port(), free_port()
    env = {**os.environ, "ACTIONS_PORT": str(actions_port), "PYTHONPATH": str(ROOT),
           "TF_CPP_MIN_LOG_LEVEL": "2", "RASA_TELEMETRY_ENABLED": "false"}
    python = sys.executable
    actions_log, rasa_log = logs / "actions.log", logs / "rasa.log"
    actions = subprocess.Popen(
        [python, "-m", "rasa_sdk", "--actions", "actions", "--port", str(actions_port)],
        cwd=ROOT, env=env, stdout=actions_log.open("w"), stderr=subprocess.STDOUT)
    rasa = subprocess.Popen(
        [python, "-m", "rasa", "run", "--model", str(MODEL), "--endpoints", "endpoints.yml",
         "--credentials", "credentials.yml", "--interface", "127.0.0.1", "--port", str(rasa_port)],
        cwd=ROOT, env=env, stdout=rasa_log.open("w"), stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: requests.get(f"http://127.0.0.1:{actions_port}/health", timeout=2).ok,
                   60, actions, actions_log)
        url = f"http://127.0.0.1:{rasa_port}"
        wait_until(lambda: requests.get(url, timeout=2).ok and _model_ready(url), 240, rasa, rasa_log)
        yield url
    finally:
        for process in (rasa, actions):
            process.terminate()
        for process in (rasa, actions):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def _model_ready(url: str) -> bool:
    reply = requests.post(f"{url}/webhooks/rest/webhook", json={"sender": "probe", "message": "안녕"},
                          timeout=30)
    return reply.ok and bool(reply.json())

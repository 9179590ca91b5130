"""Starts the real product (action server + Rasa REST channel) on free loopback ports."""
import pytest
import requests

from launcher.processes import ROOT, free_port, start, stop, wait_until

MODEL = ROOT / "models" / "assistant.tar.gz"


@pytest.fixture(scope="session")
def rasa_url(tmp_path_factory):
    if not MODEL.exists():
        raise RuntimeError("No trained model: run `make train` first (make test does).")
    logs = tmp_path_factory.mktemp("logs")
    actions_port, rasa_port = free_port(), free_port()
    # Conversations in a temporary SQLite file; agents "never" answer here, so the handoff answer is
    # the phone number whatever the time of day (the live handoff is tested in tests/browser).
    env = {"ACTIONS_PORT": str(actions_port), "CONVERSATIONS_DB": str(logs / "conversations.sqlite3"),
           "AGENT_HOURS": "never"}
    actions_log, rasa_log = logs / "actions.log", logs / "rasa.log"
    actions = start(["-m", "rasa_sdk", "--actions", "actions", "--port", str(actions_port)],
                    actions_log, env)
    rasa = start(["-m", "rasa", "run", "--model", str(MODEL), "--endpoints", "endpoints.yml",
                  "--credentials", "credentials.yml", "--interface", "127.0.0.1", "--port", str(rasa_port)],
                 rasa_log, env)
    try:
        wait_until(lambda: requests.get(f"http://127.0.0.1:{actions_port}/health", timeout=2).ok,
                   60, actions, actions_log)
        url = f"http://127.0.0.1:{rasa_port}"
        wait_until(lambda: requests.get(url, timeout=2).ok and _model_ready(url), 240, rasa, rasa_log)
        yield url
    finally:
        stop(rasa, actions)


def _model_ready(url: str) -> bool:
    reply = requests.post(f"{url}/webhooks/rest/webhook", json={"sender": "probe", "message": "안녕"},
                          timeout=30)
    return reply.ok and bool(reply.json())

"""Finding 2: the action server was open to the network, and nothing else asked who was calling.

Replayed: a forged tracker POSTed to the action server's /webhook (as anyone who can reach the port
would) must drive nothing; every process listens on loopback only; Rasa's HTTP API is off unless a
token is configured, and then refuses requests without it.
"""
import socket
from pathlib import Path
from urllib.parse import urlparse

import pytest
import requests

from launcher.stack import start_stack

FORGED_CALL = {
    "next_action": "validate_task_form",
    "sender_id": "attacker",
    "version": "3.6.2",
    "domain": {},
    "tracker": {
        "sender_id": "attacker",
        "slots": {"task": "renew_certificate", "requested_slot": "customer_name", "verify_method": "sms"},
        "latest_message": {"text": "김민준", "intent": {"name": "inform"}, "entities": []},
        "events": [{"event": "user", "text": "김민준"}, {"event": "action", "name": "task_form"}],
        "paused": False, "followup_action": None, "active_loop": {"name": "task_form"},
        "latest_action_name": "task_form",
    },
}


def _listening_addresses(port: int):
    """Local addresses with a listening TCP socket on ``port`` (from /proc/net/tcp and tcp6)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            address, hex_port = fields[1].rsplit(":", 1)
            if int(hex_port, 16) == port and fields[3] == "0A":  # 0A = LISTEN
                found.add(address)
    return found


LOOPBACK = {"0100007F", "00000000000000000000000001000000"}  # 127.0.0.1, ::1 (as the kernel prints them)


def test_a_forged_tracker_without_the_shared_secret_is_refused(product):
    for headers in ({}, {"Authorization": "Bearer guessed"}):
        reply = requests.post(f"{product.actions_url}/webhook", json=FORGED_CALL, headers=headers, timeout=10)
        assert reply.status_code == 401
        assert "김민준" not in reply.text and "events" not in reply.json()
    listing = requests.get(f"{product.actions_url}/actions", timeout=10)
    assert listing.status_code == 401


def test_every_process_listens_on_loopback_only(product):
    ports = [urlparse(url).port for url in (product.backend.url, product.actions_url, product.rasa_url,
                                            product.web_url)]
    for port in ports:
        addresses = _listening_addresses(port)
        assert addresses and addresses <= LOOPBACK, (port, addresses)


def test_the_rest_of_the_product_still_reaches_the_action_server(product):
    """Rasa has the secret: a task step that needs the action server still answers."""
    reply = requests.post(f"{product.rasa_url}/webhooks/rest/webhook",
                          json={"sender": "secret-holder", "message": "금융인증서 갱신하고 싶어요"}, timeout=60)
    assert "[1/4] 본인 확인" in "\n".join(m.get("text", "") for m in reply.json())


def test_rasa_http_api_is_off_without_a_token(product):
    for path in ("/conversations/someone/tracker", "/status", "/model/parse"):
        assert requests.get(f"{product.rasa_url}{path}", timeout=10).status_code in (404, 405), path


@pytest.fixture(scope="module")
def product_with_api(tmp_path_factory):
    stack = start_stack(tmp_path_factory.mktemp("api"), rasa_api_token="operator-only-token-0f0f")
    yield stack
    stack.stop()


def test_rasa_http_api_with_a_token_refuses_requests_without_it(product_with_api):
    url = f"{product_with_api.rasa_url}/conversations/someone/tracker"
    assert requests.get(url, timeout=10).status_code == 401
    assert requests.get(url, params={"token": "wrong"}, timeout=10).status_code == 401
    assert requests.get(url, params={"token": "operator-only-token-0f0f"}, timeout=10).status_code == 200

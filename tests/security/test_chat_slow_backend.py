"""Finding 3: a backend slower than the client's 5 s timeout leaked the PIN into responses and logs.

aiohttp's timeout raises asyncio.TimeoutError, which on Python 3.10 is not the builtin TimeoutError
the client caught; the error escaped the form and rasa-sdk answered 500 with the whole request body
(the tracker, with the PIN just typed), which Rasa then logged. Replayed twice: against the action
server alone, with a real local HTTP server that answers after 8 s, and through the whole product
(web front → Rasa → action server) with the backend frozen for 6 s at the PIN step.
"""
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from launcher.processes import free_port, start, stop, wait_until
from tests.security.conftest import MINJUN, PIN, Visitor, all_logs, frozen, texts, verify_minjun

SLOW_SECONDS = 6
# The stand-alone slow backend answers later still: the client's bound is 5 s, and on a loaded 2-core
# machine the action server's first call has taken just over a second on top of it (6.004 s in session
# 16's CI). 8 s keeps "gave up at its bound" apart from "waited for the backend" with room to spare.
LATE_SECONDS = 8
CODE = "482913"


class SlowBackend(BaseHTTPRequestHandler):
    """Answers every request, but only after 8 s (like a backend under load)."""

    def _slow(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        time.sleep(LATE_SECONDS)
        body = json.dumps({"verification_token": "late", "expires_at": "2099-01-01T00:00:00+09:00",
                           "customer": {"name": "김민준", "has_certificate": True}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _slow

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def slow_action_server(tmp_path_factory):
    logs = tmp_path_factory.mktemp("slow")
    server = ThreadingHTTPServer(("127.0.0.1", 0), SlowBackend)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port, secret = free_port(), secrets.token_urlsafe(24)
    log = logs / "actions.log"
    actions = start(["-m", "actionserver"], log, {
        "ACTIONS_PORT": str(port), "ACTION_SERVER_TOKEN": secret, "BACKEND_TOKEN": "channel",
        "BACKEND_URL": f"http://127.0.0.1:{server.server_address[1]}"})
    try:
        wait_until(lambda: requests.get(f"http://127.0.0.1:{port}/health", timeout=2).ok, 60, actions, log)
        yield f"http://127.0.0.1:{port}", secret, log
    finally:
        stop(actions)
        server.shutdown()


def code_step_call(code: str) -> dict:
    """What Rasa sends when the customer types the SMS code at the code step of a renewal."""
    slots = {"task": "renew_certificate", "requested_slot": "verification_code", "verify_method": "sms",
             "customer_name": "김민준", "birth_date": "1985-03-15", "mobile_number": "01011112222",
             "verification_id": "v-123", "masked_phone": MINJUN["masked"], "step_label": "[1/4] 본인 확인"}
    return {"next_action": "validate_task_form", "sender_id": "slow-1", "version": "3.6.2",
            "domain": {"slots": {name: {"type": "any"} for name in slots}},
            "tracker": {"sender_id": "slow-1", "slots": slots, "paused": False, "followup_action": None,
                        "latest_message": {"text": code, "intent": {"name": "inform", "confidence": 0.9},
                                           "entities": []},
                        "events": [{"event": "user", "text": code},
                                   {"event": "slot", "name": "requested_slot", "value": "verification_code"},
                                   {"event": "action", "name": "task_form"}],
                        "active_loop": {"name": "task_form"}, "latest_action_name": "task_form"}}


def test_a_backend_answering_after_8_s_gives_the_outage_step_not_a_500(slow_action_server):
    url, secret, log = slow_action_server
    started = time.monotonic()
    reply = requests.post(f"{url}/webhook", json=code_step_call(CODE), timeout=30,
                          headers={"Authorization": f"Bearer {secret}"})
    assert time.monotonic() - started < LATE_SECONDS  # the client gave up at its 5 s bound
    assert reply.status_code == 200, reply.text
    slots = {e["name"]: e["value"] for e in reply.json()["events"] if e.get("event") == "slot"}
    # The outage step: the code step is remembered and Rasa will ask "다시 시도할까요?".
    assert slots["outage_slot"] == "verification_code" and slots["requested_slot"] == "retry_confirm"
    assert str(slots["verification_code"]).startswith("secret:")  # kept for the retry, as a reference
    assert CODE not in reply.text  # the code the customer typed is not echoed, not even as a slot value
    time.sleep(0.5)
    assert CODE not in log.read_text(encoding="utf-8")


def test_through_the_product_a_frozen_backend_at_the_pin_step_leaks_nothing(product):
    visitor = Visitor(product.web_url)
    found = verify_minjun(product, visitor)
    assert "[2/4] 인증서 확인" in found and "[3/4] 갱신 확인" in found
    assert "[4/4] 비밀번호 입력" in texts(visitor.say("/affirm"))  # agreed: now asked for the certificate PIN
    with frozen(product.backend.process, SLOW_SECONDS):
        reply = visitor.http.post(f"{product.web_url}/webhooks/rest/webhook", json={"message": PIN}, timeout=60)
    assert reply.status_code == 200
    assert "인증서 서버와 잠시 연결이 안 돼요" in texts(reply.json())
    assert any(b.get("title") == "다시 시도" for m in reply.json() for b in m.get("buttons", []))
    assert PIN not in reply.text
    # The customer keeps their place: "다시 시도" submits the renewal again with the kept PIN and the same
    # idempotency key, so a request the frozen backend still ran renews once (its first result comes back).
    again = texts(visitor.say("/affirm"))
    assert "갱신이 끝났어요" in again
    time.sleep(1)  # let every process flush its log
    assert PIN not in all_logs(product)

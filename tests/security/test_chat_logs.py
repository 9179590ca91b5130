"""Finding 3 (logs): Rasa's REST channel logs the raw message text when handling fails or is
cancelled, and rasa-sdk logs whole request bodies on errors.

Replayed: the action server freezes while the customer's message (a PIN) is being handled and the
client gives up (as the web front does after 30 s): Rasa cancels the request and logs the event.
No log of any process may contain the PIN. The scrubbing rules themselves are checked on the
shapes Rasa, rasa-sdk and aiohttp really log.
"""
import logging
import stat
import time

import requests
from pathlib import Path

from logsafety import scrub
from tests.security.conftest import all_logs, frozen

PIN = "975310"


def test_a_cancelled_request_does_not_log_the_message(product):
    sender = "cancelled-request"
    requests.post(f"{product.rasa_url}/webhooks/rest/webhook", timeout=60,
                  json={"sender": sender, "message": "금융인증서 갱신하고 싶어요"})
    actions = product.processes[0]
    with frozen(actions, 4):
        try:
            requests.post(f"{product.rasa_url}/webhooks/rest/webhook", timeout=1.5,
                          json={"sender": sender, "message": f"제 비밀번호는 {PIN}이에요"})
        except requests.Timeout:
            pass  # the client gave up: Rasa's handler is cancelled
    time.sleep(2)
    # Rasa is fine afterwards, and nothing anywhere holds the PIN.
    after = requests.post(f"{product.rasa_url}/webhooks/rest/webhook", timeout=60,
                          json={"sender": "after-cancel", "message": "안녕하세요"})
    assert after.status_code == 200
    assert PIN not in all_logs(product)


def test_scrub_drops_message_text_and_bodies_in_the_shapes_that_are_logged():
    lines = [
        f"rest.message.received.timeout text='{PIN}'",  # structlog console
        f'{{"text": "제 PIN은 {PIN}", "event": "rest.message.received.failure", "level": "error"}}',  # JSON
        f"Exception: 500, message='Internal Server Error', body='{{\"request_body\": {{\"tracker\": "
        f"{{\"latest_message\": {{\"text\": \"{PIN}\"}}}}}}}}'",  # aiohttp ClientResponseError from rasa-sdk's 500
        f"token expired for X-Verification-Token: vt_9f8e7d6c5b4a and Authorization: Bearer s3cr3t-channel",
        f"slot current_pin = secret:0a1b2c3d4e5f",
        f"주민번호 900101–1234567 / 900101 1234567",
    ]
    for line in lines:
        cleaned = scrub(line)
        for secret in (PIN, "vt_9f8e7d6c5b4a", "s3cr3t-channel", "0a1b2c3d4e5f", "1234567"):
            assert secret not in cleaned, (line, cleaned)
    assert scrub("POST /webhooks/rest/webhook 200 0.120s from 127.0.0.1:5055") == \
        "POST /webhooks/rest/webhook 200 0.120s from 127.0.0.1:5055"  # ordinary lines stay readable


def test_installed_scrubbing_covers_arguments_and_tracebacks(caplog):
    from logsafety import install

    install()
    logger = logging.getLogger("test.logsafety")
    with caplog.at_level(logging.INFO):
        logger.info("received %s", {"text": PIN})
        try:
            raise ValueError(f"bad pin {PIN}")
        except ValueError:
            logger.exception("failed")
    rendered = "\n".join(caplog.text.splitlines())
    assert "received" in rendered and "failed" in rendered and "ValueError" in rendered
    assert PIN not in rendered


def test_log_files_are_readable_by_their_owner_only(product):
    """Finding 13 (launcher): logs were created 0644."""
    logs = sorted(Path(product.log_dir).glob("*.log"))
    assert {p.name for p in logs} >= {"backend.log", "actions.log", "rasa.log", "web.log"}
    for log in logs:
        assert stat.S_IMODE(log.stat().st_mode) == 0o600, log

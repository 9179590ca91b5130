"""Finding 7 (web front): no rate limits, so one client could flood Rasa, the action server and the
backend (and the backend's SMS sending) through the web front.

Replayed against a web front with the default quotas (its own process, so the flood does not
spend the shared product's quotas) in front of the real Rasa: one client floods messages, then new
conversations. Bounded: at most 80 requests, all to loopback.
"""
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from launcher.processes import free_port, start, stop, wait_until

FLOOD = 25
NEW_CONVERSATION_FLOOD = 70


@pytest.fixture()
def web_front(product, tmp_path):
    port = free_port()
    log = tmp_path / "web.log"
    process = start(["-m", "webchat.server"], log, {
        "WEB_PORT": str(port), "RASA_URL": product.rasa_url, "BACKEND_URL": product.backend.url,
        "WEB_SECRET_FILE": str(tmp_path / "cookie-secret"), "DEMO_MODE": "1",
        "BACKEND_PHONE_TOKEN": product.backend.phone_token})
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: requests.get(f"{url}/healthz", timeout=2).ok, 30, process, log)
        yield url
    finally:
        stop(process)


def test_a_message_flood_from_one_client_is_cut_off_with_a_korean_message(web_front):
    visitor = requests.Session()
    first = visitor.post(f"{web_front}/webhooks/rest/webhook", json={"message": "안녕하세요"}, timeout=60)
    assert first.status_code == 200  # an ordinary message is never refused
    cookie = visitor.cookies.get("kbcert_conversation")

    def one(_):
        return requests.post(f"{web_front}/webhooks/rest/webhook", json={"message": "안녕하세요"},
                             cookies={"kbcert_conversation": cookie}, timeout=120)

    with ThreadPoolExecutor(FLOOD) as pool:  # FLOOD messages at once, in one conversation
        replies = list(pool.map(one, range(FLOOD)))
    statuses = [r.status_code for r in replies]
    refused = [r for r in replies if r.status_code == 429]
    assert refused and statuses.count(200) >= 5, statuses
    message = refused[0].json()["error"]
    assert "요청이 너무 많아요" in message and "다시 시도해 주세요" in message
    assert int(refused[0].headers["Retry-After"]) >= 1


def test_a_flood_of_new_conversations_from_one_client_is_cut_off(web_front):
    statuses = []
    for _ in range(NEW_CONVERSATION_FLOOD):
        # No cookie each time: every request would open a new conversation at Rasa.
        reply = requests.post(f"{web_front}/conversation/new", timeout=10)
        statuses.append(reply.status_code)
        if reply.status_code == 429:
            break
    assert statuses[-1] == 429 and 1 < len(statuses) <= NEW_CONVERSATION_FLOOD
    assert "요청이 너무 많아요" in reply.json()["error"]


def test_polling_the_demo_phone_is_bounded_too(web_front):
    statuses = [requests.get(f"{web_front}/demo/phone", timeout=10).status_code for _ in range(100)]
    assert 429 in statuses and statuses[:60].count(429) == 0

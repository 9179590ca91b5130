"""Finding 8 (web front): demo mode was the default, and the demo inbox showed every visitor the
texts (codes included) of every verification.

Replayed: a web front started with no settings must not offer the demo phone; in demo mode, one
visitor asks for the demo phone and must see only the texts of verifications their own
conversation started, never another visitor's code; keying ARS digits works only on one's own
call. The old all-visitors inbox route is gone.
"""
import pytest
import requests

from launcher.processes import free_port, start, stop, wait_until
from tests.security.conftest import MINJUN, Visitor

SEOYUN = {"name": "이서윤", "birth": "1990년 7월 7일", "phone": "010 2222 3333", "masked": "010-****-3333"}


def test_demo_mode_is_off_unless_asked_for(tmp_path, product, monkeypatch):
    port = free_port()
    log = tmp_path / "web.log"
    monkeypatch.delenv("DEMO_MODE", raising=False)  # not set at all: the default
    env = {"WEB_PORT": str(port), "RASA_URL": product.rasa_url, "BACKEND_URL": product.backend.url,
           "WEB_SECRET_FILE": str(tmp_path / "cookie-secret")}
    process = start(["-m", "webchat.server"], log, env)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: requests.get(f"{url}/healthz", timeout=2).ok, 30, process, log)
        assert requests.get(f"{url}/demo/phone", timeout=10).status_code == 404
        assert requests.post(f"{url}/demo/phone/calls/abc/keys", json={"digits": "37"}, timeout=10).status_code == 404
        assert requests.get(f"{url}/demo/sms-inbox", timeout=10).status_code == 404
    finally:
        stop(process)


def start_verification(visitor, person):
    visitor.say("금융인증서 갱신하고 싶어요")
    visitor.say("휴대폰 문자로 할게요")
    visitor.say(person["name"])
    visitor.say(person["birth"])
    visitor.say(person["phone"])


def phone_of(visitor):
    reply = visitor.http.get(f"{visitor.web_url}/demo/phone", timeout=10)
    assert reply.status_code == 200, reply.text
    return reply.json()["messages"]


def test_a_visitor_sees_only_their_own_conversations_texts(product):
    if requests.get(f"{product.backend.url}/demo/phone/inbox", timeout=5).status_code == 404:
        pytest.fail("the backend has no /demo/phone/inbox (contracts.md): merge the backend's demo phone")
    alice, bob, stranger = Visitor(product.web_url), Visitor(product.web_url), Visitor(product.web_url)
    start_verification(alice, MINJUN)
    start_verification(bob, SEOYUN)
    alice_texts, bob_texts = phone_of(alice), phone_of(bob)
    assert alice_texts and all(m["phone"] == MINJUN["masked"] for m in alice_texts)
    assert bob_texts and all(m["phone"] == SEOYUN["masked"] for m in bob_texts)
    assert phone_of(stranger) == []  # no conversation, no texts
    stranger.say("안녕하세요")
    assert phone_of(stranger) == []  # a conversation that started nothing sees nothing
    # Keying digits on someone else's call is refused at the web front.
    assert stranger.http.post(f"{product.web_url}/demo/phone/calls/some-call/keys", json={"digits": "37"},
                              timeout=10).status_code == 404


def test_make_run_turns_demo_mode_on_explicitly_and_says_so():
    from launcher.processes import ROOT

    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    run = makefile[makefile.index("\nrun:"):].split("\n\n")[0]
    assert "DEMO_MODE=1" in run and "BACKEND_DEMO_MODE=1" in run and "DEMO MODE" in run

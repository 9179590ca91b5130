"""Finding 9 (web front): a live session could be taken over with the conversation id alone.

The widget kept the id in localStorage (readable by any script on the embedding page) and the web
front passed any ``sender`` through. Replayed: a verified customer's conversation id, stolen, is
sent without the customer's cookie (and with a forged one); the attacker must get a fresh
conversation, not the customer's verified session. Also: what the tracker store keeps of the
verification is only vault references.
"""
import requests

from tests.security.conftest import MINJUN, Visitor, stored_slot_values, texts, verify_minjun


def test_a_stolen_conversation_id_without_the_cookie_opens_nothing(product):
    victim = Visitor(product.web_url)
    found = verify_minjun(product, victim, opening="내 인증서 상태 알려줘")
    assert MINJUN["name"] in found  # the victim is verified and sees their certificate
    stolen = victim.conversation_id
    assert stolen

    for cookies in ({}, {"kbcert_conversation": f"{stolen}.{'0' * 64}"}):
        attacker = requests.post(f"{product.web_url}/webhooks/rest/webhook", cookies=cookies, timeout=60,
                                 json={"sender": stolen, "message": "내 인증서 상태 알려줘"})
        assert attacker.status_code == 200
        answer = texts(attacker.json())
        assert "[1/" in answer and "본인 확인" in answer  # a new conversation: asked to verify first
        assert MINJUN["name"] not in answer and "만료일" not in answer and "건너뛸게요" not in answer
        issued = attacker.cookies.get("kbcert_conversation")
        assert issued and not issued.startswith(stolen)

    # The victim's own session still works (the attack did not disturb it).
    assert "만료일" in texts(victim.say("내 인증서 상태 알려줘"))


def test_the_conversation_cookie_is_httponly_strict_and_signed(product):
    reply = requests.post(f"{product.web_url}/webhooks/rest/webhook", json={"message": "안녕"}, timeout=60)
    header = reply.headers["Set-Cookie"]
    assert "HttpOnly" in header and "SameSite=Strict" in header and "Path=/" in header
    value = reply.cookies["kbcert_conversation"]
    conversation_id, signature = value.split(".")
    assert len(conversation_id) == 32 and len(signature) == 64


def test_the_tracker_store_keeps_only_references_to_live_tokens(product):
    visitor = Visitor(product.web_url)
    verify_minjun(product, visitor, opening="내 인증서 상태 알려줘")
    for slot in ("verification_token", "verification_id"):
        values = stored_slot_values(product, visitor.conversation_id, slot)
        assert values and all(str(v).startswith("secret:") for v in values), (slot, values)
    # A reference from the dump is useless at the backend, even with the channel token.
    reference = stored_slot_values(product, visitor.conversation_id, "verification_token")[-1]
    status = requests.get(f"{product.backend.url}/v1/certificates", timeout=10,
                          headers={**product.backend.headers, "X-Verification-Token": reference})
    assert status.status_code in (401, 403)

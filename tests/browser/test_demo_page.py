"""The demo host page: bank look, demo notice, and the mock SMS inbox panel fed by the real backend."""
import re
import time

import requests
from playwright.sync_api import expect

INBOX = "**/demo/sms-inbox"
# 정하늘 has no certificate; starting a verification for her changes no demo state anyone relies on.
IDENTITY = {"method": "sms", "name": "정하늘", "birth_date": "2000-05-05", "phone": "010-5555-6666"}
MASKED = "010-****-6666"


def test_page_says_it_is_a_demo(page):
    expect(page).to_have_title("금융인증서 안내 | KB국민은행 (모의)")
    expect(page.locator(".demo-banner")).to_contain_text("데모")
    expect(page.get_by_role("heading", level=1)).to_have_text("금융인증서 안내")


def _send_code(backend) -> str:
    reply = requests.post(f"{backend.url}/v1/verifications", json=IDENTITY, headers=backend.headers, timeout=10)
    assert reply.status_code in (200, 201), reply.text
    assert "code" not in reply.json()  # the API never returns the code: only the pretend phone gets it
    return reply.json()["verification_id"]


def test_sms_inbox_shows_real_messages_newest_first(page, product):
    inbox = page.get_by_test_id("sms-inbox")
    expect(inbox).to_be_visible()  # demo mode: the web front proxies the backend's inbox
    _send_code(product.backend)
    time.sleep(1.1)  # distinct sent_at seconds
    _send_code(product.backend)
    items = inbox.get_by_test_id("sms-message").filter(has_text=MASKED)
    expect(items).to_have_count(2, timeout=10_000)  # the panel polls every 2 s
    shown = [re.search(r"\[(\d{6})\]", text).group(1) for text in items.all_inner_texts()]
    messages = requests.get(f"{product.backend.url}/demo/sms-inbox", headers=product.backend.headers,
                            timeout=10).json()["messages"]
    ours = sorted((m for m in messages if m["phone"] == MASKED), key=lambda m: m["sent_at"], reverse=True)
    assert shown == [re.search(r"\[(\d{6})\]", m["text"]).group(1) for m in ours]  # newest first
    expect(items.first).to_contain_text("[KB국민은행(모의)] 금융인증서 본인확인 인증번호")
    expect(page.get_by_test_id("sms-status")).to_have_text("")


def test_sms_text_is_never_html_and_a_404_hides_the_panel(page):
    # Canned answers (page.route): the real backend never sends HTML, and the real front is in demo
    # mode here; the front's own 404 outside demo mode is covered in test_web_front.py.
    canned = {"messages": [{"phone": "010-****-5678", "text": "인증번호 [222222] <b>x</b>",
                            "sent_at": "2026-11-25T12:05:00+09:00"}]}
    page.route(INBOX, lambda route: route.fulfill(json=canned))
    page.reload()
    inbox = page.get_by_test_id("sms-inbox")
    items = inbox.get_by_test_id("sms-message")
    expect(items).to_have_count(1)
    expect(items.first).to_contain_text("<b>x</b>")  # shown as text
    assert inbox.locator("b").count() == 0
    page.unroute(INBOX)
    page.route(INBOX, lambda route: route.fulfill(status=404, json={"error": "데모 모드가 아니에요."}))
    expect(inbox).to_be_hidden(timeout=5_000)  # next poll (2 s) sees the 404

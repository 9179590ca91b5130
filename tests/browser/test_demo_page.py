"""The demo host page: bank look, demo notice, and the mock SMS inbox panel.

The certificate backend is not in the test stack yet, so the inbox answers are canned with page.route
(this checks the panel's rendering and its 404 rule only; the web front's own proxying of the inbox is
covered in test_web_front.py)."""
from playwright.sync_api import expect

INBOX = "**/demo/sms-inbox"
MESSAGES = {"messages": [
    {"phone": "010-****-5678", "text": "[KB국민은행(모의)] 인증번호 [111111]", "sent_at": "2026-11-25T12:00:00+09:00"},
    {"phone": "010-****-5678", "text": "[KB국민은행(모의)] 인증번호 [222222] <b>x</b>", "sent_at": "2026-11-25T12:05:00+09:00"},
]}


def test_page_says_it_is_a_demo(page):
    expect(page).to_have_title("금융인증서 안내 | KB국민은행 (모의)")
    expect(page.locator(".demo-banner")).to_contain_text("데모")
    expect(page.get_by_role("heading", level=1)).to_have_text("금융인증서 안내")


def test_sms_inbox_lists_newest_first(page):
    page.route(INBOX, lambda route: route.fulfill(json=MESSAGES))
    page.reload()
    inbox = page.get_by_test_id("sms-inbox")
    expect(inbox).to_be_visible()
    items = inbox.get_by_test_id("sms-message")
    expect(items).to_have_count(2)
    expect(items.first).to_contain_text("222222")  # 12:05 before 12:00
    expect(items.first).to_contain_text("<b>x</b>")  # shown as text
    expect(items.first).to_contain_text("010-****-5678")


def test_sms_inbox_hidden_outside_demo_mode(page):
    page.route(INBOX, lambda route: route.fulfill(json=MESSAGES))
    page.reload()
    expect(page.get_by_test_id("sms-inbox")).to_be_visible()
    page.unroute(INBOX)
    page.route(INBOX, lambda route: route.fulfill(status=404, json={"error": "데모 모드가 아니에요."}))
    expect(page.get_by_test_id("sms-inbox")).to_be_hidden(timeout=5_000)  # next poll (2 s) sees the 404

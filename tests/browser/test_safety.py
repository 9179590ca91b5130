"""Inert HTML, Korean IME composition, and the masked secret field."""
import json

from playwright.sync_api import expect

from tests.browser.widget import WEBHOOK, bot, open_widget, send, storage_dump, user

XSS = '<img src=x onerror="window.__xss=1">'


def test_user_html_is_rendered_as_text(page):
    open_widget(page)
    send(page, XSS)
    expect(user(page).last.locator(".kbc-bubble")).to_have_text(XSS)
    assert page.get_by_test_id("chat-log").locator("img").count() == 0
    page.wait_for_timeout(300)
    assert page.evaluate("typeof window.__xss") == "undefined"


def test_bot_markdown_subset_is_safe(page):
    # Canned reply (page.route) because no real answer contains HTML or links: this checks the
    # renderer only, not the assistant.
    reply = [{"recipient_id": "x", "text": (
        "**굵게** 안내\n1. 첫째\n2. 둘째\n- 항목\n" + XSS +
        "\n[안내](https://example.com/guide) [나쁜](javascript:window.__xss=2)")}]
    page.route(WEBHOOK, lambda route: route.fulfill(json=reply), times=1)
    open_widget_without_greeting_wait(page)
    answer = bot(page).first
    expect(answer.locator("strong")).to_have_text("굵게")
    expect(answer.locator("ol > li")).to_have_count(2)
    expect(answer.locator("ul > li")).to_have_text("항목")
    link = answer.locator("a")
    expect(link).to_have_count(1)
    expect(link).to_have_attribute("href", "https://example.com/guide")
    expect(link).to_have_attribute("rel", "noopener noreferrer")
    expect(link).to_have_attribute("target", "_blank")
    expect(answer).to_contain_text(XSS)
    expect(answer).to_contain_text("[나쁜](javascript:window.__xss=2)")
    assert answer.locator("img").count() == 0
    assert page.evaluate("typeof window.__xss") == "undefined"


def open_widget_without_greeting_wait(page):
    page.get_by_test_id("chat-launcher").click()
    expect(bot(page)).to_have_count(1)


def test_enter_during_ime_composition_does_not_send(page):
    open_widget(page)
    sent = []
    page.on("request", lambda r: sent.append(r) if r.method == "POST" else None)
    box = page.get_by_test_id("chat-input")
    box.fill("유효기")
    box.dispatch_event("keydown", {"key": "Enter", "code": "Enter", "isComposing": True, "bubbles": True})
    box.evaluate("""el => {  // Safari-style: composition already ended but keyCode is still 229
        const e = new KeyboardEvent('keydown', {key: 'Enter', bubbles: true, cancelable: true});
        Object.defineProperty(e, 'keyCode', {value: 229});
        el.dispatchEvent(e);
    }""")
    box.press("Shift+Enter")
    page.wait_for_timeout(500)
    assert sent == []
    expect(user(page)).to_have_count(0)
    assert box.input_value() == "유효기\n"  # Shift+Enter made a new line, nothing was lost

    box.fill("유효기간")
    box.press("Enter")  # a plain Enter does send
    expect(user(page)).to_have_count(1)
    assert len(sent) == 1


def test_secret_input_is_masked_and_never_stored(page):
    open_widget(page)
    # Canned reply for ONE request (page.route, times=1): the secret-input hint is UI mechanics
    # here; the real flows that send it are tested end to end elsewhere.
    canned = [
        {"recipient_id": "x", "text": "[2/4] 본인 확인\n인증서 비밀번호 6자리를 입력해 주세요."},
        {"recipient_id": "x", "custom": {"input": "secret", "length": 6, "label": "인증서 비밀번호 6자리"}},
        {"recipient_id": "x", "custom": {"unknown": "<b>ignored</b>"}},
    ]
    page.route(WEBHOOK, lambda route: route.fulfill(json=canned), times=1)
    bots_before = bot(page).count()
    send(page, "인증서 갱신해 주세요")
    expect(bot(page)).to_have_count(bots_before + 1)  # custom payloads are not bubbles
    expect(bot(page).last.get_by_test_id("step")).to_have_text("2/4 · 본인 확인")
    expect(page.get_by_test_id("header-step")).to_have_text("2/4 · 본인 확인")

    field = page.get_by_test_id("chat-input")
    expect(field).to_have_attribute("type", "password")
    expect(field).to_have_attribute("inputmode", "numeric")
    expect(field).to_have_attribute("autocomplete", "off")
    assert field.get_attribute("maxlength") is None  # a 7th digit is refused with a message, never cut
    expect(page.get_by_test_id("chat-secret-hint")).to_contain_text("인증서 비밀번호 6자리")
    expect(page.get_by_label("인증서 비밀번호 6자리")).to_be_visible()

    bodies = []
    page.on("request", lambda r: bodies.append(r.post_data) if r.method == "POST" else None)
    field.press_sequentially("123456")
    field.press("Enter")
    expect(user(page).last).to_contain_text("●●●●●●")
    expect(page.get_by_test_id("typing")).to_have_count(0)

    assert any(json.loads(b)["message"] == "123456" for b in bodies), bodies  # Rasa got the PIN
    html = page.content()
    assert "123456" not in html
    assert "123456" not in page.evaluate(
        "() => Array.from(document.querySelectorAll('input,textarea'), e => e.value).join('|')")
    assert "123456" not in storage_dump(page)
    assert "●●●●●●" in storage_dump(page)
    field = page.get_by_test_id("chat-input")  # back to the normal text box
    expect(field).not_to_have_attribute("type", "password")
    assert field.evaluate("el => el.tagName") == "TEXTAREA"
    expect(page.get_by_test_id("chat-secret-hint")).to_be_hidden()


def test_secret_mode_can_switch_back_to_words(page):
    open_widget(page)
    # Canned hint for one request (UI mechanics, as above).
    canned = [{"recipient_id": "x", "text": "인증번호 6자리를 입력해 주세요."},
              {"recipient_id": "x", "custom": {"input": "secret", "label": "인증번호 6자리"}}]
    page.route(WEBHOOK, lambda route: route.fulfill(json=canned), times=1)
    send(page, "인증서 발급해 주세요")
    expect(page.get_by_test_id("chat-input")).to_have_attribute("type", "password")
    expect(page.get_by_test_id("chat-input")).to_be_focused()
    page.get_by_test_id("chat-secret-cancel").click()
    field = page.get_by_test_id("chat-input")
    assert field.evaluate("el => el.tagName") == "TEXTAREA"
    expect(field).to_be_focused()
    send(page, "취소")
    expect(user(page).last).to_contain_text("취소")  # typed words are shown as typed

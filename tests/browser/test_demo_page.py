"""The demo host page: bank look, demo notice, and the 모의 휴대폰 (demo phone) panel fed by the real
product: only this visitor's texts, and incoming ARS calls answered with a keypad."""
import re

from playwright.sync_api import expect

from tests.browser.widget import bot, demo_phone, start_verification, type_and_send

PHONE_ROUTE = "**/demo/phone"


def test_page_says_it_is_a_demo(page):
    expect(page).to_have_title("금융인증서 안내 | KB국민은행 (모의)")
    expect(page.locator(".demo-banner")).to_contain_text("데모")
    expect(page.get_by_role("heading", level=1)).to_have_text("금융인증서 안내")


def test_demo_phone_shows_this_visitors_texts_only(page, browser, product):
    phone = demo_phone(page)
    expect(phone).to_be_visible()  # demo mode: the web front serves the visitor's phone
    expect(phone.get_by_role("heading", name="모의 휴대폰")).to_be_visible()
    start_verification(page, "정하늘", "20000505", "010-5555-6666")
    message = phone.get_by_test_id("phone-message").filter(has_text="010-****-6666").first
    expect(message).to_contain_text(re.compile(r"인증번호 \[\d{6}\]"), timeout=10_000)
    code = re.search(r"\[(\d{6})\]", message.text_content()).group(1)
    expect(page.get_by_test_id("phone-status")).to_have_text("")

    # Another visitor (own browser context, own conversation) sees an empty phone, not this code.
    other = browser.new_context(locale="ko-KR")
    try:
        other_page = other.new_page()
        other_page.goto(product.web_url)
        expect(other_page.get_by_test_id("phone-status")).to_have_text("아직 받은 문자나 전화가 없어요.")
        other_page.wait_for_timeout(2500)  # one more poll
        assert code not in other_page.get_by_test_id("demo-phone").inner_text()
        expect(other_page.get_by_test_id("phone-message")).to_have_count(0)
    finally:
        other.close()


def test_phone_text_is_never_html_and_a_404_hides_the_panel(page):
    # Canned answers (page.route): the real backend never sends HTML, and the real front is in demo
    # mode here; the front's own 404 outside demo mode is covered in the web front's tests.
    canned = {"messages": [
        {"id": "m1", "kind": "sms", "phone": "010-****-5678", "text": "인증번호 [222222] <b>x</b>",
         "sent_at": "2026-11-25T12:05:00+09:00"},
        {"id": "m2", "kind": "ars_call", "phone": "010-****-5678", "text": "<img src=x onerror=window.__x=1>",
         "sent_at": "2026-11-25T12:06:00+09:00",
         "call": {"call_id": "c1", "state": "ringing", "digits_length": 2}}]}
    page.route(PHONE_ROUTE, lambda route: route.fulfill(json=canned))
    page.reload()
    phone = demo_phone(page)
    expect(phone.get_by_test_id("phone-message")).to_have_count(1)
    expect(phone.get_by_test_id("phone-call")).to_have_count(1)
    expect(phone.locator("li").first).to_contain_text("<img src=x")  # newest first, shown as text
    expect(phone.get_by_test_id("phone-message")).to_contain_text("<b>x</b>")
    assert phone.locator("b, img").count() == 0
    assert page.evaluate("typeof window.__x") == "undefined"
    page.unroute(PHONE_ROUTE)
    page.route(PHONE_ROUTE, lambda route: route.fulfill(status=404, json={"error": "데모 모드가 아니에요."}))
    expect(phone).to_be_hidden(timeout=5_000)  # next poll (2 s) sees the 404


def test_ars_call_is_answered_on_the_demo_phone_with_the_keyboard(page):
    # 최유나 (demo data: locked certificate) is verified by ARS; nothing is changed for other tests.
    start_verification(page, "최유나", "19950120", "010-4444-5555", method="ARS 전화")
    shown = bot(page).filter(has_text="010-****-5555").last.locator("strong").first
    expect(shown).to_have_text(re.compile(r"^\d{2}$"))
    digits = shown.inner_text()

    call = demo_phone(page).get_by_test_id("phone-call").first
    expect(call).to_have_attribute("data-state", "ringing", timeout=10_000)
    notice = page.get_by_test_id("chat-host-notice")
    expect(notice).to_contain_text("ARS 전화가 왔어요")
    field = call.get_by_label(re.compile("채팅에 보이는 숫자"))
    expect(field).to_have_attribute("inputmode", "numeric")

    wrong = "00" if digits != "00" else "11"
    field.focus()
    page.keyboard.type(wrong)
    page.keyboard.press("Enter")
    result = call.get_by_test_id("phone-call-result")
    expect(result).to_contain_text("숫자가 맞지 않아요")
    expect(result).to_contain_text("남은 기회")
    expect(field).to_be_focused()
    expect(field).to_have_value("")

    for key in digits:  # now the on-screen keypad
        call.get_by_test_id("phone-key").filter(has_text=re.compile(f"^{key}$")).click()
    expect(field).to_have_value(digits)
    call.get_by_test_id("phone-call-confirm").click()
    confirmed = demo_phone(page).get_by_test_id("phone-call-result").first
    expect(confirmed).to_contain_text("확인됐어요")
    expect(confirmed).to_be_focused()
    expect(notice).to_be_hidden(timeout=10_000)  # no call rings any more: the chat's notice is withdrawn

    page.get_by_test_id("phone-back").click()
    expect(page.get_by_test_id("chat-input")).to_be_focused()
    type_and_send(page, "완료")
    expect(page.get_by_test_id("chat-log")).to_contain_text("최유나님, 본인 확인이 끝났어요")

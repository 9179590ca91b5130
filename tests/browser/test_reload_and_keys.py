"""Issue 10, widget item 4: a reload comes back at the bottom of a long transcript, Tab from the input
reaches the chat's own quick replies before the page, and at 360 px a new text on the demo phone is
announced in the chat with a way to read it."""
import re

from playwright.sync_api import expect

from tests.browser.widget import bot, code_from_phone, demo_phone, open_widget, secret_field, \
    start_verification, type_and_send

QUESTIONS = ["금융인증서 유효기간이 얼마예요?", "갱신은 언제부터 할 수 있어요?", "발급은 어떻게 해요?",
             "비밀번호를 잊어버렸어요", "다른 기기에서 쓰려면요?", "인증서가 잠겼어요"]


def _at_bottom(page) -> bool:
    return page.get_by_test_id("chat-log").evaluate(
        "el => el.scrollHeight > el.clientHeight + 200 && el.scrollHeight - el.clientHeight - el.scrollTop <= 2")


def test_reload_restores_a_long_transcript_at_the_bottom(page):
    page.set_viewport_size({"width": 1280, "height": 700})
    open_widget(page)
    for question in QUESTIONS:
        type_and_send(page, question)
    assert _at_bottom(page), "the live transcript follows the newest message"
    last = bot(page).last.text_content()

    page.reload()
    expect(page.get_by_test_id("chat-panel")).to_be_visible()
    expect(bot(page).last).to_have_text(last)
    page.wait_for_timeout(500)  # the stylesheet and layout have settled
    assert _at_bottom(page), "after a reload the transcript must show its newest messages"
    expect(bot(page).last).to_be_in_viewport()


def test_tab_from_the_input_reaches_the_quick_replies_before_the_page(page):
    open_widget(page)
    expect(page.get_by_test_id("chat-input")).to_be_focused()
    first_reply = page.get_by_test_id("quick-reply").first.inner_text()
    page.keyboard.press("Tab")
    expect(page.get_by_test_id("chat-send")).to_be_focused()
    page.keyboard.press("Tab")
    focused = page.locator(":focus")
    expect(focused).to_have_attribute("data-testid", "quick-reply")
    expect(focused).to_have_text(first_reply)
    count = page.get_by_test_id("quick-reply").count()
    for _ in range(count - 1):
        page.keyboard.press("Tab")
        expect(page.locator(":focus")).to_have_attribute("data-testid", "quick-reply")
    page.keyboard.press("Tab")  # after the last one: the launcher, then the page
    expect(page.get_by_test_id("chat-launcher")).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(page.get_by_test_id("quick-reply").last).to_be_focused()
    page.keyboard.press("Enter")  # a quick reply reached by keyboard works
    expect(page.get_by_test_id("typing")).to_have_count(0)
    assert bot(page).count() >= 2


def test_at_360px_a_new_text_is_announced_in_the_chat_with_a_way_to_read_it(page):
    page.set_viewport_size({"width": 360, "height": 740})
    start_verification(page, "정하늘", "20000505", "010-5555-6666")
    secret_field(page)
    notice = page.get_by_test_id("chat-host-notice")
    expect(notice).to_be_visible(timeout=10_000)  # the phone panel polls every 2 s
    expect(notice).to_contain_text("모의 휴대폰에 새 문자가 왔어요")
    expect(notice).to_be_in_viewport()
    phone = demo_phone(page)
    expect(phone).not_to_be_in_viewport()  # under the full-screen chat

    page.get_by_test_id("chat-host-notice-open").click()
    expect(page.get_by_test_id("chat-panel")).to_be_hidden()  # the chat steps aside …
    expect(phone).to_be_focused()
    expect(phone).to_be_in_viewport()  # … and the phone is where the customer is
    code = code_from_phone(page, "010-****-6666")
    expect(phone.get_by_test_id("phone-message").filter(has_text=code)).to_be_in_viewport(ratio=0.5)

    page.get_by_test_id("phone-back").click()  # back to the chat, at the code step, with focus
    expect(page.get_by_test_id("chat-panel")).to_be_visible()
    secret_field(page)
    page.keyboard.type(code)
    before = bot(page).count()
    page.keyboard.press("Enter")
    expect(bot(page)).not_to_have_count(before)
    expect(page.get_by_test_id("chat-log")).to_contain_text(re.compile("정하늘님, 본인 확인이 끝났어요"))
    assert code not in page.get_by_test_id("chat-log").inner_html()

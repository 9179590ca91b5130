"""Talking to the real assistant through the widget: greeting, typed FAQ, buttons, keyboard only."""
import re

from playwright.sync_api import expect

from tests.browser.widget import bot, open_widget, send, user

TIME = re.compile(r"^\d{2}:\d{2}$")


def test_greeting_and_topic_buttons(page):
    launcher = page.get_by_test_id("chat-launcher")
    expect(launcher).to_have_attribute("aria-expanded", "false")
    open_widget(page)
    expect(launcher).to_have_attribute("aria-expanded", "true")
    expect(bot(page).first).to_contain_text("금융인증서 도우미")
    titles = page.get_by_test_id("quick-reply").all_inner_texts()
    assert {"발급 방법", "갱신 방법", "유효기간"} <= set(titles), titles
    assert TIME.match(bot(page).first.locator("time").inner_text())
    expect(page.get_by_test_id("chat-log")).to_have_attribute("role", "log")
    expect(page.get_by_test_id("chat-log")).to_have_attribute("aria-live", "polite")
    expect(page.get_by_label("메시지 입력")).to_have_attribute("placeholder", "메시지를 입력하세요")
    expect(page.get_by_test_id("chat-send")).to_have_text("보내기")


def test_typed_korean_faq_is_answered(page):
    open_widget(page)
    send(page, "금융인증서 유효기간이 얼마예요?")
    expect(user(page).last).to_contain_text("금융인증서 유효기간이 얼마예요?")
    expect(bot(page).last).to_contain_text("3년")


def test_quick_reply_click_answers_and_disables_old_buttons(page):
    open_widget(page)
    first_row = bot(page).first.get_by_test_id("quick-reply")
    first_row.filter(has_text="유효기간").click()
    expect(user(page).last).to_have_text(re.compile(r"^유효기간"))  # the title, not the /faq{...} payload
    expect(bot(page).last).to_contain_text("3년")
    for button in first_row.all():
        expect(button).to_be_disabled()
        expect(button).to_be_visible()
    expect(page.get_by_test_id("chat-log")).not_to_contain_text("faq_key")


def test_keyboard_only_use_of_a_quick_reply(page):
    launcher = page.get_by_test_id("chat-launcher")
    for _ in range(40):  # Tab through the host page until the launcher has focus
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.dataset.testid") == "chat-launcher":
            break
    expect(launcher).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("chat-panel")).to_be_visible()
    expect(page.get_by_test_id("chat-input")).to_be_focused()
    expect(page.get_by_test_id("quick-reply").first).to_be_enabled()

    for _ in range(12):  # from the input, Shift+Tab back to the last topic button
        page.keyboard.press("Shift+Tab")
        if page.evaluate("document.activeElement.dataset.testid") == "quick-reply":
            break
    focused = page.locator(":focus")
    expect(focused).to_have_attribute("data-testid", "quick-reply")
    outline = focused.evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline != "none", "focused button has no visible outline"
    title = focused.inner_text()
    page.keyboard.press("Space")
    expect(user(page).last).to_contain_text(title)
    expect(page.get_by_test_id("typing")).to_have_count(0)
    assert bot(page).count() >= 2

    page.keyboard.press("Escape")
    expect(page.get_by_test_id("chat-panel")).to_be_hidden()
    expect(launcher).to_be_focused()
    expect(launcher).to_have_attribute("aria-expanded", "false")

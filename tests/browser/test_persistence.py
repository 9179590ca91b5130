"""Reload keeps the conversation; "새 대화" starts over with a new sender id."""
from playwright.sync_api import expect

from tests.browser.widget import bot, open_widget, send, user

SENDER = "() => JSON.parse(localStorage.getItem('kbcert-chat:sender'))"
QUESTION = "금융인증서 유효기간이 얼마예요?"


def test_reload_keeps_transcript_and_new_chat_clears_it(page):
    open_widget(page)
    send(page, QUESTION)
    sender = page.evaluate(SENDER)
    assert sender and len(sender) == 32
    bot_count = bot(page).count()

    page.reload()
    expect(page.get_by_test_id("chat-panel")).to_be_visible()  # it was open before the reload
    expect(user(page)).to_have_count(1)
    expect(user(page).first).to_contain_text(QUESTION)
    expect(bot(page)).to_have_count(bot_count)
    expect(bot(page).last).to_contain_text("3년")
    assert page.evaluate(SENDER) == sender

    page.get_by_test_id("chat-new").click()
    expect(user(page)).to_have_count(0)
    expect(page.get_by_test_id("quick-reply").first).to_be_enabled()  # fresh greeting
    expect(page.get_by_test_id("chat-log")).not_to_contain_text(QUESTION)
    new_sender = page.evaluate(SENDER)
    assert new_sender and new_sender != sender
    assert QUESTION not in page.evaluate("() => localStorage.getItem('kbcert-chat:transcript')")

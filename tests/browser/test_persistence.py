"""Reload keeps the conversation (the web front's HttpOnly cookie, not the page's storage);
"새 대화" starts over with a new conversation cookie."""
from playwright.sync_api import expect

from tests.browser.widget import bot, open_widget, send, user

QUESTION = "금융인증서 유효기간이 얼마예요?"


def conversation_cookie(page):
    cookies = [c for c in page.context.cookies() if c["name"] == "kbcert_conversation"]
    assert len(cookies) == 1
    return cookies[0]


def test_reload_keeps_transcript_and_new_chat_clears_it(page):
    open_widget(page)
    send(page, QUESTION)
    cookie = conversation_cookie(page)
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["path"] == "/"
    assert page.evaluate("() => document.cookie") == ""  # scripts on the page cannot read it
    storage = page.evaluate("() => JSON.stringify(Object.assign({}, window.localStorage))")
    assert cookie["value"].split(".")[0] not in storage and "sender" not in storage
    bot_count = bot(page).count()

    page.reload()
    expect(page.get_by_test_id("chat-panel")).to_be_visible()  # it was open before the reload
    expect(user(page)).to_have_count(1)
    expect(user(page).first).to_contain_text(QUESTION)
    expect(bot(page)).to_have_count(bot_count)
    expect(bot(page).last).to_contain_text("3년")
    assert conversation_cookie(page)["value"] == cookie["value"]

    page.get_by_test_id("chat-new").click()
    expect(user(page)).to_have_count(0)
    expect(page.get_by_test_id("quick-reply").first).to_be_enabled()  # fresh greeting
    expect(page.get_by_test_id("chat-log")).not_to_contain_text(QUESTION)
    assert conversation_cookie(page)["value"] != cookie["value"]
    assert QUESTION not in page.evaluate("() => localStorage.getItem('kbcert-chat:transcript')")

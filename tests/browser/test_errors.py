"""Server unreachable: a Korean notice, the message kept with a retry control, no duplicate on retry."""
from playwright.sync_api import expect

from tests.browser.widget import WEBHOOK, bot, open_widget, user

QUESTION = "갱신은 언제부터 할 수 있어요?"


def test_server_down_then_retry(page):
    open_widget(page)
    attempts, delivered = [], []
    page.on("request", lambda r: attempts.append(r) if QUESTION in (r.post_data or "") else None)
    page.on("response", lambda r: delivered.append(r)
            if r.ok and QUESTION in (r.request.post_data or "") else None)
    page.route(WEBHOOK, lambda route: route.abort("connectionrefused"))  # as if the server were down

    page.get_by_test_id("chat-input").fill(QUESTION)
    page.get_by_test_id("chat-send").click()
    notice = page.get_by_test_id("chat-notice")
    expect(notice).to_be_visible()
    expect(notice).to_have_text("서버에 연결하지 못했어요. 잠시 후 다시 시도해 주세요.")
    expect(user(page)).to_have_count(1)
    expect(user(page).first).to_contain_text(QUESTION)
    retry = page.get_by_test_id("chat-retry")
    expect(retry).to_be_visible()
    expect(retry).to_have_text("다시 보내기")
    bots_before = bot(page).count()

    page.unroute(WEBHOOK)
    retry.click()
    expect(retry).to_have_count(0)
    expect(notice).to_be_hidden()
    expect(bot(page)).not_to_have_count(bots_before)
    expect(page.get_by_test_id("typing")).to_have_count(0)
    expect(user(page)).to_have_count(1)  # the same bubble, not a second one
    page.wait_for_timeout(500)
    assert len(attempts) == 2, "one failed attempt and one retry"
    assert len(delivered) == 1, "the message reached the assistant exactly once"

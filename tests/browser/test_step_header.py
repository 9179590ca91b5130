"""The step header never shows a stale step (issue 10, items 6 and 9, widget side): when a task ends
("아직 갱신 기간이 아니에요"), the header's "2/4 · 인증서 확인" goes away, also after a reload.

이서윤's certificate (demo data) expires in about two years: too early to renew."""
from playwright.sync_api import expect

from tests.browser.widget import WEBHOOK, bot, code_from_phone, secret_field, start_verification

NAME, BIRTH, PHONE, MASKED = "이서윤", "19900707", "010-2222-3333", "010-****-3333"


def test_header_step_goes_away_when_the_task_ends(page):
    start_verification(page, NAME, BIRTH, PHONE)
    header = page.get_by_test_id("header-step")
    expect(header).to_have_text("1/4 · 본인 확인")  # a task is running: the header says where
    code = code_from_phone(page, MASKED)
    secret_field(page)
    before = bot(page).count()
    page.keyboard.type(code)
    page.keyboard.press("Enter")
    expect(bot(page)).not_to_have_count(before)
    expect(page.get_by_test_id("typing")).to_have_count(0)
    expect(page.get_by_test_id("chat-log")).to_contain_text("아직 갱신 기간이 아니에요")

    expect(header).to_have_count(0)  # the task ended: no step in the header
    page.reload()
    expect(page.get_by_test_id("chat-panel")).to_be_visible()
    expect(page.get_by_test_id("chat-log")).to_contain_text("아직 갱신 기간이 아니에요")
    expect(page.get_by_test_id("header-step")).to_have_count(0)


def test_header_follows_the_last_message_of_a_reply(page):
    # Canned reply (renderer mechanics): a stepped message followed, in the same reply, by one that
    # ends the task must not leave the step in the header.
    page.get_by_test_id("chat-launcher").click()
    expect(bot(page)).to_have_count(1)
    canned = [{"recipient_id": "x", "text": "[2/4] 인증서 확인\n인증서를 찾았어요."},
              {"recipient_id": "x", "text": "아직 갱신 기간이 아니에요."}]
    page.route(WEBHOOK, lambda route: route.fulfill(json=canned), times=1)
    page.get_by_test_id("chat-input").focus()
    page.keyboard.type("갱신")
    page.keyboard.press("Enter")
    expect(bot(page)).to_have_count(3)
    expect(bot(page).nth(1).get_by_test_id("step")).to_have_text("2/4 · 인증서 확인")
    expect(page.get_by_test_id("header-step")).to_have_count(0)

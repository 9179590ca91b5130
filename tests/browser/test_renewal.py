"""A whole renewal through the widget, as a visitor of the demo page would do it: 김민준's certificate
(demo data: expires in about 10 days) renewed with the code read off the page's mock SMS inbox.

This is the only browser test that changes a demo customer; the demo data lives for the whole test
session, so it must run once per session (a second run would find the certificate already renewed).
"""
import os
import re
import shutil
from datetime import date

import requests
from playwright.sync_api import Page, expect

from launcher.processes import ROOT
from tests.browser.conftest import ARTIFACTS
from tests.browser.widget import bot, open_widget, send, storage_dump, user

NAME, BIRTH, PHONE, PIN = "김민준", "19850315", "010-1111-2222", "135790"
MASKED_PHONE = "010-****-2222"
SCREENSHOT = "widget-renewal.png"
README_IMAGE = ROOT / "docs" / "images" / SCREENSHOT
DATE = r"(\d{4}년 \d{1,2}월 \d{1,2}일)"  # dates are read as "2027년 4월 1일"


def _date(korean: str) -> date:
    year, month, day = (int(part) for part in re.findall(r"\d+", korean))
    return date(year, month, day)


def _secret_field(page: Page):
    field = page.get_by_test_id("chat-input")
    expect(field).to_have_attribute("type", "password")
    expect(field).to_have_attribute("maxlength", "6")  # from the bot's real secret hint
    expect(field).to_be_focused()
    return field


def _send_secret(page: Page, value: str) -> None:
    """Types into the masked field key by key (as a person would) and checks the bubble is masked."""
    field = _secret_field(page)
    before = bot(page).count()
    field.press_sequentially(value)
    field.press("Enter")
    expect(user(page).last).to_contain_text("●" * len(value))
    expect(bot(page)).not_to_have_count(before)
    expect(page.get_by_test_id("typing")).to_have_count(0)


def _code_from_inbox(page: Page) -> str:
    """The newest message to 김민준's phone in the page's 모의 문자함 panel (polled every 2 s)."""
    inbox = page.get_by_test_id("sms-inbox")
    expect(inbox).to_be_visible()
    message = inbox.get_by_test_id("sms-message").filter(has_text=MASKED_PHONE).first
    expect(message).to_contain_text("인증번호", timeout=10_000)
    found = re.search(r"\[(\d{6})\]", message.locator(".sms-text").inner_text())
    assert found, message.inner_text()
    return found.group(1)


def _plus_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def test_full_renewal_with_code_from_the_inbox_panel(page, product):
    open_widget(page)
    send(page, "인증서 갱신하고 싶어요")
    expect(bot(page).last.get_by_test_id("step")).to_have_text("1/4 · 본인 확인")
    send_button = bot(page).last.get_by_test_id("quick-reply").filter(has_text="휴대폰 문자")
    before = bot(page).count()
    send_button.click()
    expect(bot(page)).not_to_have_count(before)
    expect(bot(page).last).to_contain_text("이름을 입력해 주세요")

    send(page, NAME)
    expect(bot(page).last).to_contain_text("생년월일")
    send(page, BIRTH)
    expect(bot(page).last).to_contain_text("휴대폰 번호")
    send(page, PHONE)
    expect(bot(page).last).to_contain_text(f"{MASKED_PHONE} 번호로 보낸 인증번호 6자리")

    code = _code_from_inbox(page)
    _send_secret(page, code)
    expect(page.get_by_test_id("chat-log")).to_contain_text(f"{NAME}님, 본인 확인이 끝났어요.")
    pin_step = bot(page).last
    expect(pin_step.get_by_test_id("step")).to_have_text("3/4 · 비밀번호 확인")
    expect(pin_step).to_contain_text("비밀번호 6자리로 확인해요")

    _send_secret(page, PIN)
    confirm = bot(page).last
    expect(confirm.get_by_test_id("step")).to_have_text("4/4 · 갱신 확인")
    expect(page.get_by_test_id("header-step")).to_contain_text("4/4")
    summary = confirm.inner_text()
    old = _date(re.search(r"지금 만료일: " + DATE, summary).group(1))
    new = _date(re.search(r"갱신 후 만료일: " + DATE, summary).group(1))
    assert new == _plus_years(old, 3), summary
    assert 0 <= (old - date.today()).days <= 11, f"김민준 should expire in about 10 days, not on {old}"

    page.set_viewport_size({"width": 1280, "height": 800})
    confirm.scroll_into_view_if_needed()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / SCREENSHOT))
    if os.environ.get("UPDATE_SCREENSHOT") == "1":  # for the README; normal runs leave the tree alone
        README_IMAGE.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ARTIFACTS / SCREENSHOT, README_IMAGE)

    before = bot(page).count()
    confirm.get_by_test_id("quick-reply").filter(has_text="네, 갱신할게요").click()
    expect(bot(page)).not_to_have_count(before)
    done = bot(page).filter(has_text="갱신이 끝났어요").last
    expect(done).to_contain_text(f"이제 {new.year}년 {new.month}월 {new.day}일까지 쓸 수 있어요")
    expect(page.get_by_test_id("typing")).to_have_count(0)

    # Neither secret is anywhere in the transcript, the fields or localStorage. (The code is on the
    # page once more, in the inbox panel: that is the pretend phone, not the chat.)
    transcript = page.get_by_test_id("chat-log").evaluate("el => el.outerHTML")
    fields = page.evaluate("() => Array.from(document.querySelectorAll('input,textarea'), e => e.value).join('|')")
    stored = storage_dump(page)
    for secret in (PIN, code):
        assert secret not in transcript
        assert secret not in fields
        assert secret not in stored
    assert PIN not in page.content()
    assert stored.count("●●●●●●") >= 2

    # The backend really renewed it (the audit log is not customer-scoped).
    events = requests.get(f"{product.backend.url}/v1/audit", params={"limit": 50},
                          headers=product.backend.headers, timeout=10).json()["events"]
    renewed = [e for e in events if e["action"] == "certificate_renewed"]
    assert len(renewed) == 1, events
    assert renewed[0]["detail"]["previous"] != renewed[0]["serial"]

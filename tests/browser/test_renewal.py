"""A whole renewal through the widget, as a visitor of the demo page would do it: 김민준's certificate
(demo data: expires in about 10 days) renewed with the code read off the page's 모의 휴대폰 panel.

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
from tests.browser.widget import bot, code_from_phone, demo_phone, open_widget, send, storage_dump, user

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
    assert field.get_attribute("maxlength") is None  # never cut what is typed
    expect(page.get_by_test_id("chat-secret-hint")).to_contain_text("6자리")  # from the bot's real hint
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


def _plus_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def test_full_renewal_with_code_from_the_demo_phone(page, product):
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

    code = code_from_phone(page, MASKED_PHONE)
    _send_secret(page, code)
    expect(page.get_by_test_id("chat-log")).to_contain_text(f"{NAME}님, 본인 확인이 끝났어요.")
    confirm = bot(page).last
    expect(confirm.get_by_test_id("step")).to_have_text("3/4 · 갱신 확인")
    expect(page.get_by_test_id("header-step")).to_contain_text("3/4")
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
    pin_step = bot(page).last
    expect(pin_step.get_by_test_id("step")).to_have_text("4/4 · 비밀번호 입력")
    expect(pin_step).to_contain_text("입력하면 바로 갱신돼요")
    expect(page.get_by_test_id("header-step")).to_contain_text("4/4")

    # One key too many at the PIN step (issue 10, item 1): refused in the field, never cut to six.
    field, users = _secret_field(page), user(page).count()
    page.keyboard.type(PIN + "1")
    expect(page.get_by_test_id("chat-secret-error")).to_have_text("숫자 6자리만 입력해 주세요. 지금 7자리예요.")
    page.keyboard.press("Enter")
    assert field.input_value() == PIN + "1"
    expect(user(page)).to_have_count(users)  # nothing was sent
    page.keyboard.press("Control+A")
    page.keyboard.press("Backspace")
    _send_secret(page, PIN)
    done = bot(page).filter(has_text="갱신이 끝났어요").last
    expect(done).to_contain_text(f"이제 {new.year}년 {new.month}월 {new.day}일까지 쓸 수 있어요")
    expect(page.get_by_test_id("typing")).to_have_count(0)
    # The bank texts the customer's phone about the renewal; it arrives on this visitor's demo phone.
    notice = demo_phone(page).get_by_test_id("phone-message").filter(has_text="본인이 아니면")
    expect(notice.first).to_contain_text(MASKED_PHONE, timeout=10_000)

    # Neither secret is anywhere in the transcript, the fields or localStorage. (The code is on the
    # page once more, in the 모의 휴대폰 panel: that is the pretend phone, not the chat.)
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

"""A killed or frozen backend in the middle of a task, seen from the widget (`make run`'s launcher).

Own product (fresh demo data, supervised by the launcher like `make run`), so these tests may change
demo customers without touching the shared session's data.
- killed (kill -9): the launcher restarts it with its data; the customer who presses 다시 시도 after it
  is back completes the renewal, with exactly one new certificate;
- frozen (SIGSTOP): the widget shows the outage message within the bound; after SIGCONT, 다시 시도
  completes the step.
"""
from __future__ import annotations

import re
import signal
import time

import pytest
import requests
from playwright.sync_api import expect

from launcher.stack import ONE_ADDRESS_MANY_VISITORS, start_stack
from tests.browser.widget import bot, open_widget, send

PIN = "135790"
OUTAGE = "연결이 안 돼요"
OUTAGE_BOUND_MS = 15_000   # backend timeout (5 s) + a turn, with room for a loaded CI machine


@pytest.fixture(scope="module")
def own_product(tmp_path_factory):
    stack = start_stack(tmp_path_factory.mktemp("outage-stack"), web_env=ONE_ADDRESS_MANY_VISITORS)
    try:
        yield stack
    finally:
        stack.stop()


@pytest.fixture
def widget(browser, own_product):
    context = browser.new_context(locale="ko-KR", viewport={"width": 1280, "height": 860})
    page = context.new_page()
    page.goto(own_product.web_url)
    open_widget(page)
    yield page
    context.close()


def _code(page, stack, masked_phone: str, newer_than: str = "") -> str:
    """The code as the visitor's demo phone panel gets it: the web front's /demo/phone for this page's
    cookie-bound conversation."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        reply = page.request.get(f"{stack.web_url}/demo/phone")
        if reply.ok:
            for message in reply.json().get("messages", []):
                found = re.search(r"\[(\d{6})\]", message.get("text", ""))
                if message.get("kind") == "sms" and message.get("phone") == masked_phone and found \
                        and found.group(1) != newer_than:
                    return found.group(1)
        time.sleep(0.5)
    raise AssertionError(f"no code for {masked_phone} on the demo phone")


def _secret(page, value: str) -> None:
    field = page.get_by_test_id("chat-input")
    expect(field).to_have_attribute("type", "password")
    before = bot(page).count()
    field.press_sequentially(value)
    field.press("Enter")
    expect(bot(page)).not_to_have_count(before, timeout=OUTAGE_BOUND_MS + 15_000)
    expect(page.get_by_test_id("typing")).to_have_count(0, timeout=OUTAGE_BOUND_MS + 15_000)


def _verify(page, stack, name: str, birth: str, phone: str, masked: str, task: str) -> None:
    send(page, task)
    send(page, "휴대폰 문자로 할게요")
    send(page, name)
    send(page, birth)
    send(page, phone)
    expect(bot(page).last).to_contain_text(masked)


def _renewals(stack) -> int:
    events = requests.get(f"{stack.backend.url}/v1/audit", params={"limit": 200}, headers=stack.backend.headers,
                          timeout=10).json()["events"]
    return sum(e["action"] == "certificate_renewed" for e in events)


def test_killed_backend_is_restarted_and_retry_completes_the_renewal(widget, own_product):
    page, stack = widget, own_product
    _verify(page, stack, "김민준", "19850315", "010-1111-2222", "010-****-2222", "금융인증서 갱신하고 싶어요")
    _secret(page, _code(page, stack, "010-****-2222"))
    expect(bot(page).last).to_contain_text("이대로 갱신할까요")
    send(page, "네")
    expect(bot(page).last).to_contain_text("입력하면 바로 갱신돼요")
    killed = stack.supervisor.signal("backend", signal.SIGKILL)
    _secret(page, PIN)  # the renewal itself meets the killed backend
    expect(bot(page).last).to_contain_text(OUTAGE)
    stack.supervisor.wait_ready("backend", timeout=60)
    assert stack.supervisor.pid("backend") != killed
    page.get_by_test_id("quick-reply").filter(has_text="다시 시도").last.click()
    expect(bot(page).last).to_contain_text("갱신이 끝났어요", timeout=30_000)
    assert _renewals(stack) == 1
    assert any("backend" in event and "restarted" in event for event in stack.supervisor.events)


def test_frozen_backend_gives_the_outage_message_in_time_and_retry_completes(widget, own_product):
    page, stack = widget, own_product
    _verify(page, stack, "이서윤", "19900707", "010-2222-3333", "010-****-3333", "내 인증서 상태 알려줘")
    code = _code(page, stack, "010-****-3333")
    stack.supervisor.signal("backend", signal.SIGSTOP)
    try:
        started = time.monotonic()
        field = page.get_by_test_id("chat-input")
        field.press_sequentially(code)
        field.press("Enter")
        expect(bot(page).last).to_contain_text(OUTAGE, timeout=OUTAGE_BOUND_MS)
        waited = time.monotonic() - started
    finally:
        stack.supervisor.signal("backend", signal.SIGCONT)
    print(f"\nfrozen backend: outage message after {waited:.1f} s (bound {OUTAGE_BOUND_MS / 1000:.0f} s)")
    page.get_by_test_id("quick-reply").filter(has_text="다시 시도").last.click()
    # The frozen backend may still have confirmed the code once it resumed (the request sat in its
    # socket): then the retry finds no open verification and the bot texts a fresh code and asks for it
    # at the same step. Known weakness (closing note): a re-confirmation is not idempotent yet.
    expect(bot(page).last).to_contain_text(re.compile("사용 중|만료|인증번호 6자리"), timeout=30_000)
    if "인증번호 6자리" in bot(page).last.inner_text():
        fresh = _code(page, stack, "010-****-3333", newer_than=code)
        field = page.get_by_test_id("chat-input")
        field.press_sequentially(fresh)
        field.press("Enter")
        expect(bot(page).last).to_contain_text(re.compile("사용 중|만료"), timeout=30_000)

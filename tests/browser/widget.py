"""Page-object helpers for the chat widget (selectors are the widget's data-testid hooks)."""
import re

from playwright.sync_api import Page, expect

WEBHOOK = "**/webhooks/rest/webhook"


def open_widget(page: Page) -> None:
    """Opens the panel and waits for the bot's greeting with its topic buttons."""
    page.get_by_test_id("chat-launcher").click()
    expect(page.get_by_test_id("chat-panel")).to_be_visible()
    expect(page.get_by_test_id("quick-reply").first).to_be_enabled()
    expect(page.get_by_test_id("typing")).to_have_count(0)


def bot(page: Page):
    return page.get_by_test_id("msg-bot")


def user(page: Page):
    return page.get_by_test_id("msg-user")


def send(page: Page, text: str) -> None:
    """Types a message and presses Enter; waits until the bot has answered."""
    before = bot(page).count()
    page.get_by_test_id("chat-input").fill(text)
    page.get_by_test_id("chat-input").press("Enter")
    expect(bot(page)).not_to_have_count(before)
    expect(page.get_by_test_id("typing")).to_have_count(0)


def storage_dump(page: Page) -> str:
    return page.evaluate("() => JSON.stringify(Object.assign({}, window.localStorage))")


def type_and_send(page: Page, text: str) -> None:
    """Types into the active chat field with the keyboard, key by key, presses Enter and waits for
    the bot's answer (the customer's own steps: no fill())."""
    before = bot(page).count()
    page.get_by_test_id("chat-input").focus()
    page.keyboard.type(text)
    page.keyboard.press("Enter")
    expect(bot(page)).not_to_have_count(before)
    expect(page.get_by_test_id("typing")).to_have_count(0)


def choose(page: Page, title: str) -> None:
    """Clicks the quick reply `title` of the newest bot message and waits for the answer."""
    before = bot(page).count()
    page.get_by_test_id("quick-reply").filter(has_text=title).last.click()
    expect(bot(page)).not_to_have_count(before)
    expect(page.get_by_test_id("typing")).to_have_count(0)


def start_verification(page: Page, name: str, birth: str, phone: str, method: str = "휴대폰 문자",
                       task: str = "인증서 갱신하고 싶어요") -> None:
    """Opens the widget and answers a task's identity questions up to the code (or call) step."""
    open_widget(page)
    type_and_send(page, task)
    choose(page, method)
    type_and_send(page, name)
    type_and_send(page, birth)
    type_and_send(page, phone)


def secret_field(page: Page):
    """The masked field the bot asked for, with focus (the code or PIN step)."""
    field = page.get_by_test_id("chat-input")
    expect(field).to_have_attribute("type", "password")
    expect(field).to_be_focused()
    return field


def demo_phone(page: Page):
    return page.get_by_test_id("demo-phone")


def code_from_phone(page: Page, masked_phone: str) -> str:
    """The newest 6-digit code in the page's 모의 휴대폰 panel for a phone ('010-****-2222')."""
    message = demo_phone(page).get_by_test_id("phone-message").filter(has_text=masked_phone) \
        .filter(has_text="인증번호").first
    expect(message).to_be_attached(timeout=10_000)  # the panel polls every 2 s
    found = re.search(r"\[(\d{6})\]", message.locator(".phone-text").text_content())
    assert found, message.text_content()
    return found.group(1)

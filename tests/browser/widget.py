"""Page-object helpers for the chat widget (selectors are the widget's data-testid hooks)."""
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

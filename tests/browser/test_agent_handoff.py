"""Two pages, two people: a customer in the widget asks for a person, an agent logs into the console
with the keyboard only, takes the conversation and answers; the customer sees the answer marked as
from a person, the bot stays silent meanwhile, and after the hand-back the bot answers the next FAQ.
Both pages pass the axe-core audit (no serious or critical violations)."""
import os

import requests
from playwright.sync_api import Page, expect

from launcher.processes import ROOT
from tests.browser.axe import serious_violations
from tests.browser.widget import bot, open_widget, send

AGENT_REPLY = "안녕하세요. 인증서 비밀번호는 재발급으로 다시 정할 수 있어요."
IMAGES = ROOT / "docs" / "images"


def tab_to(page: Page, testid: str, limit: int = 40) -> None:
    """Presses Tab until the element with this test id has the focus, like a keyboard user."""
    for _ in range(limit):
        if page.evaluate("() => document.activeElement && document.activeElement.dataset.testid") == testid:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{testid} not reachable with Tab")


def agent_login_by_keyboard(page: Page, web_url: str, login: str, password: str) -> None:
    page.goto(f"{web_url}/agent/")
    expect(page.get_by_test_id("login-id")).to_be_visible()
    tab_to(page, "login-id")
    page.keyboard.type(login)
    page.keyboard.press("Tab")
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("who")).to_contain_text("한지수" if login == "agent1" else "")


def test_customer_to_agent_and_back_to_the_bot(browser, product, page):
    customer = page
    open_widget(customer)
    send(customer, "상담원이랑 직접 얘기할래요")
    expect(bot(customer).last).to_contain_text("상담원에게 연결할까요?")
    before = bot(customer).count()
    bot(customer).last.get_by_test_id("quick-reply").filter(has_text="상담원 연결하기").click()
    expect(bot(customer)).not_to_have_count(before)
    expect(bot(customer).last).to_contain_text("상담원 연결을 요청했어요")
    banner = customer.get_by_test_id("handoff-banner")
    expect(banner).to_contain_text("대기 순서: 1번째")
    expect(banner.get_by_test_id("handoff-leave")).to_be_visible()
    assert serious_violations(customer) == []

    context = browser.new_context(locale="ko-KR", viewport={"width": 1280, "height": 860})
    agent = context.new_page()
    try:
        agent_login_by_keyboard(agent, product.web_url, "agent1", "demo-agent-1234")
        expect(agent.get_by_test_id("queue-item")).to_have_count(1)
        tab_to(agent, "queue-item")
        agent.keyboard.press("Enter")
        transcript = agent.get_by_test_id("transcript")
        expect(transcript).to_contain_text("상담원이랑 직접 얘기할래요")
        expect(agent.get_by_test_id("customer-state")).to_contain_text("확인 안 됨")
        tab_to(agent, "take")
        agent.keyboard.press("Enter")
        expect(agent.get_by_test_id("reply-input")).to_be_focused()
        expect(banner).to_contain_text("상담원 한지수 님과 이야기하고 있어요")
        agent.keyboard.type(AGENT_REPLY)
        agent.keyboard.press("Enter")

        from_agent = customer.get_by_test_id("msg-agent")
        expect(from_agent).to_have_count(1)
        expect(from_agent).to_contain_text(AGENT_REPLY)
        expect(from_agent.locator(".kbc-from")).to_have_text("상담원 한지수")  # marked as from a person

        # While the agent holds the conversation the bot stays silent; the agent sees the message.
        bot_count = bot(customer).count()
        customer.get_by_test_id("chat-input").fill("재발급은 어디서 해요?")
        customer.get_by_test_id("chat-input").press("Enter")
        expect(transcript).to_contain_text("재발급은 어디서 해요?")
        customer.wait_for_timeout(1500)
        expect(bot(customer)).to_have_count(bot_count)
        expect(customer.get_by_test_id("typing")).to_have_count(0)
        assert serious_violations(agent) == []
        if os.environ.get("UPDATE_DESK_SCREENSHOTS"):
            agent.screenshot(path=str(IMAGES / "agent-console.png"))

        tab_to(agent, "handback")
        agent.keyboard.press("Enter")
        expect(customer.get_by_test_id("msg-desk").last).to_contain_text("도우미가 다시 답해 드려요")
        expect(banner).to_be_hidden()
        expect(agent.get_by_test_id("queue-item")).to_have_count(0)
    finally:
        context.close()

    send(customer, "갱신 기간이 언제예요?")
    expect(bot(customer).last).to_contain_text("갱신")
    expect(bot(customer).last).to_contain_text("30일")


def test_a_page_cannot_queue_or_silence_a_conversation_by_itself(product):
    visitor = requests.Session()  # the web front's signed conversation cookie, as a browser keeps it
    first = visitor.post(f"{product.web_url}/webhooks/rest/webhook", json={"message": "안녕하세요"}, timeout=30)
    assert first.status_code == 200
    reply = visitor.post(f"{product.web_url}/chat/handoff", json={}, timeout=10)
    assert reply.status_code == 409  # the bot never agreed to hand this conversation over
    answer = visitor.post(f"{product.web_url}/webhooks/rest/webhook", json={"message": "갱신 기간이 언제예요?"},
                          timeout=30).json()
    assert answer and "30일" in answer[0]["text"]  # not paused
    assert visitor.get(f"{product.web_url}/chat/handoff", timeout=10).json()["state"] == "none"
    # Rasa's HTTP API is on for the web front, and only with the token.
    assert requests.get(f"{product.rasa_url}/conversations/someone/tracker", timeout=10).status_code == 401

"""axe-core audit (no serious or critical violations): the demo page with the widget open, the widget
mid-renewal, the console's login page and the analyst's insights and review pages."""
import os

from playwright.sync_api import expect

from launcher.processes import ROOT
from tests.browser.axe import serious_violations
from tests.browser.test_agent_handoff import tab_to
from tests.browser.widget import bot, open_widget, send

IMAGES = ROOT / "docs" / "images"


def test_demo_page_with_the_widget_open(page):
    open_widget(page)
    assert serious_violations(page) == []


def test_widget_mid_renewal(page):
    open_widget(page)
    send(page, "인증서 갱신하고 싶어요")
    expect(bot(page).last.get_by_test_id("step")).to_have_text("1/4 · 본인 확인")
    assert serious_violations(page) == []


def test_console_login_insights_and_review_pages(browser, product):
    context = browser.new_context(locale="ko-KR", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{product.web_url}/agent/")
        expect(page.get_by_test_id("login-id")).to_be_visible()
        assert serious_violations(page) == []
        page.get_by_test_id("login-id").fill("lead1")
        page.get_by_test_id("login-password").fill("demo-lead-1234")
        page.get_by_test_id("login-password").press("Enter")
        expect(page.get_by_test_id("tab-insights")).to_be_visible()
        tab_to(page, "tab-insights")
        page.keyboard.press("Enter")
        expect(page.get_by_test_id("insight-card").first).to_be_visible()
        expect(page.get_by_test_id("insights")).to_contain_text("일별 대화 수")
        assert serious_violations(page) == []
        if os.environ.get("UPDATE_DESK_SCREENSHOTS"):
            page.screenshot(path=str(IMAGES / "insights.png"), full_page=True)
        page.get_by_test_id("tab-review").click()
        expect(page.get_by_test_id("review-list")).to_be_attached()
        assert serious_violations(page) == []
    finally:
        context.close()

"""Phones: at 360 px the panel fills the width and stays usable."""
from playwright.sync_api import expect

from tests.browser.widget import bot, open_widget, send


def test_panel_is_full_width_at_360px(page):
    page.set_viewport_size({"width": 360, "height": 740})
    open_widget(page)
    box = page.get_by_test_id("chat-panel").bounding_box()
    assert box["x"] == 0 and box["width"] == 360, box
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    send(page, "유효기간이 얼마예요?")
    expect(bot(page).last).to_be_in_viewport()
    page.get_by_test_id("chat-close").click()
    expect(page.get_by_test_id("chat-launcher")).to_be_visible()

"""Masks and markup never interact (issue 10, widget item 3): "010-****-3333 … **12**" keeps its mask
as typed and bolds only "12".

Every bot response of the project that holds a masked value is rendered by the widget with sample
values (a canned reply: the renderer is what is under test there), and the real ARS step is checked
end to end through the real product."""
import re

import yaml
from playwright.sync_api import expect

from launcher.processes import ROOT
from tests.browser.widget import WEBHOOK, bot, start_verification

MASK = "010-****-3333"
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _responses_with_masks():
    """(name, text) of every response text in domain.yml and data/ that has a masked placeholder."""
    found = []
    files = [ROOT / "domain.yml", *sorted((ROOT / "data").rglob("*.yml"))]
    for path in files:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        responses = doc.get("responses") if isinstance(doc, dict) else None
        for name, variants in (responses or {}).items():
            for variant in variants or []:
                text = variant.get("text") if isinstance(variant, dict) else None
                if text and any("masked" in key for key in PLACEHOLDER.findall(text)):
                    found.append((name, text))
    return found


def _fill(text: str) -> str:
    def value(match):
        key = match.group(1)
        if "masked" in key:
            return MASK
        if key == "step_label":
            return "[1/4] 본인 확인"
        return "12"
    return PLACEHOLDER.sub(value, text)


def _assert_mask_intact(message):
    expect(message).to_contain_text(MASK)
    for strong in message.locator("strong").all_inner_texts():
        assert "*" not in strong and "3333" not in strong, f"bold span swallowed the mask: {strong!r}"
    assert "**" not in message.inner_text().replace(MASK, ""), message.inner_text()


def test_every_response_with_a_masked_value_renders_its_mask_as_text(page):
    responses = _responses_with_masks()
    assert responses, "no response holds a masked value: this test would check nothing"
    canned = [{"recipient_id": "x", "text": _fill(text)} for _, text in responses]
    page.route(WEBHOOK, lambda route: route.fulfill(json=canned), times=1)
    page.get_by_test_id("chat-launcher").click()
    expect(bot(page)).to_have_count(len(canned))
    for index, (name, text) in enumerate(responses):
        message = bot(page).nth(index)
        _assert_mask_intact(message)
        wanted = re.findall(r"(?<!\*)\*\*(?!\*)([^*\n]+?)\*\*(?!\*)", _fill(text).replace(MASK, ""))
        expect(message.locator("strong"), name).to_have_count(len(wanted))
        assert message.locator("strong").all_inner_texts() == wanted, name


def test_mask_next_to_bold_in_one_line(page):
    canned = [{"recipient_id": "x", "text": f"{MASK} 번호로 전화가 와요. 화면의 숫자 **12**를 누르세요. **확인** 끝"}]
    page.route(WEBHOOK, lambda route: route.fulfill(json=canned), times=1)
    page.get_by_test_id("chat-launcher").click()
    message = bot(page).first
    expect(message.locator("strong")).to_have_text(["12", "확인"])
    expect(message.locator(".kbc-bubble")).to_have_text(f"{MASK} 번호로 전화가 와요. 화면의 숫자 12를 누르세요. 확인 끝")


def test_real_ars_step_shows_the_mask_and_the_digits_apart(page):
    # 이서윤 (demo data: 010-2222-3333, shown as 010-****-3333) chooses the ARS call.
    start_verification(page, "이서윤", "19900707", "010-2222-3333", method="ARS 전화")
    message = bot(page).filter(has_text=MASK).last
    _assert_mask_intact(message)
    digits = message.locator("strong")
    expect(digits.first).to_have_text(re.compile(r"^\d{2}$"))

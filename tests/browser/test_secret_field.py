"""The masked field at a code or PIN step (issue 10, widget items 1 and 2), in the real product: the
customer's own keys, nothing the widget cuts, filters or drops without a word.

The code step of a verification is a real secret step (the bot sends the masked-field hint with its
length); 정하늘 is used because starting a verification changes nothing other tests rely on."""
from playwright.sync_api import Page, expect

from tests.browser.widget import WEBHOOK, bot, secret_field, start_verification, user

NAME, BIRTH, PHONE = "정하늘", "20000505", "010-5555-6666"


def _webhook_posts(page: Page) -> list:
    posts = []
    page.on("request", lambda r: posts.append(r.post_data) if r.method == "POST" and "webhook" in r.url else None)
    return posts


def test_seven_digits_are_refused_in_the_field_never_cut_to_six(page):
    start_verification(page, NAME, BIRTH, PHONE)
    field = secret_field(page)
    error = page.get_by_test_id("chat-secret-error")
    expect(error).to_be_hidden()
    posts = _webhook_posts(page)
    users_before = user(page).count()

    page.keyboard.type("1357913")
    assert field.input_value() == "1357913", "the field must keep every digit the customer typed"
    expect(error).to_be_visible()
    expect(error).to_have_text("숫자 6자리만 입력해 주세요. 지금 7자리예요.")
    expect(field).to_have_attribute("aria-invalid", "true")

    page.keyboard.press("Enter")
    page.wait_for_timeout(700)
    assert posts == [], f"a refused secret must not be sent (not even cut to 6): {posts}"
    expect(user(page)).to_have_count(users_before)
    assert field.input_value() == "1357913"
    expect(field).to_be_focused()

    page.keyboard.press("Backspace")  # now 6 digits: the message goes, Enter sends all six
    expect(error).to_be_hidden()
    before = bot(page).count()
    page.keyboard.press("Enter")
    expect(bot(page)).not_to_have_count(before)
    assert len(posts) == 1 and '"135791"' in posts[0], posts
    expect(user(page).last).to_contain_text("●●●●●●")


def test_a_question_at_a_code_step_is_explained_and_can_be_asked(page):
    start_verification(page, NAME, BIRTH, PHONE)
    field = secret_field(page)
    ask = page.get_by_role("button", name="질문하기")
    expect(ask).to_be_visible()  # the way to ask is on screen the whole step, not hidden
    expect(page.get_by_test_id("chat-secret-hint")).to_contain_text("'질문하기'를 눌러 물어보세요")
    posts = _webhook_posts(page)

    question = "비밀번호 몇 자리였죠?"  # the example from the issue
    page.keyboard.type(question)
    error = page.get_by_test_id("chat-secret-error")
    expect(error).to_have_text("이 칸에는 숫자만 들어가요. 질문은 '질문하기'를 누른 뒤 입력해 주세요.")
    assert field.input_value() == question, "nothing the customer typed is dropped"
    page.keyboard.press("Enter")
    page.wait_for_timeout(500)
    assert posts == []  # words are never sent as a masked secret

    ask.click()
    box = page.get_by_test_id("chat-input")
    assert box.evaluate("el => el.tagName") == "TEXTAREA"
    expect(box).to_be_focused()
    assert box.input_value() == question, "the question moved to the text box, visible before sending"
    before = bot(page).count()
    page.keyboard.press("Enter")
    expect(bot(page)).not_to_have_count(before)
    expect(user(page).last.locator(".kbc-bubble")).to_have_text(question)  # shown as typed, not masked
    assert any(question in (p or "") for p in posts)


def test_digits_typed_before_switching_are_not_shown_in_clear(page):
    # A customer who typed part of a PIN and then pressed 질문하기: the digits must not appear in the
    # visible text box. Canned hint (UI mechanics only).
    page.get_by_test_id("chat-launcher").click()
    expect(bot(page)).to_have_count(1)
    canned = [{"recipient_id": "x", "text": "새 비밀번호 6자리를 정해 주세요."},
              {"recipient_id": "x", "custom": {"input": "secret", "length": 6, "label": "새 비밀번호 6자리"}}]
    page.route(WEBHOOK, lambda route: route.fulfill(json=canned), times=1)
    page.get_by_test_id("chat-input").focus()
    page.keyboard.type("발급")
    page.keyboard.press("Enter")
    secret_field(page)
    page.keyboard.type("2468 맞나요")
    page.get_by_role("button", name="질문하기").click()
    assert page.get_by_test_id("chat-input").input_value() == ""

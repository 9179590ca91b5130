"""The widget on the cluster's one origin (nginx → web fronts → Rasa instances), in Debian's chromium:
hostile markup typed by a visitor renders as inert text, and a whole renewal leaves no PIN or code in
the browser's storage (saved for the secret search of test_9_secrets.py)."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.browser.widget import bot, open_widget, send, user
from tests.cluster.conftest import ARTIFACTS
from tests.cluster.customers import CODES_SEEN, PIN, Customer, EventReader, inbox_code, people, seed_renewable

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run"]
HOSTILE = ['<img src=x onerror="window.__pwned=1">', "<script>window.__pwned=2</script>",
           '<svg onload="window.__pwned=3"></svg>', "[클릭](javascript:window.__pwned=4)",
           '"><iframe srcdoc="<script>parent.__pwned=5</script>">']


@pytest.fixture(scope="module")
def page(cluster):
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} missing: run scripts/ensure-chromium.sh")
    expect.set_options(timeout=60_000)   # a turn under the cluster's other load can take a few seconds
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        context = browser.new_context(locale="ko-KR", viewport={"width": 1280, "height": 860})
        page = context.new_page()
        dialogs = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.goto(cluster.web_url)
        page.dialogs = dialogs
        yield page
        context.close()
        browser.close()


def test_hostile_markup_renders_as_inert_text(page):
    open_widget(page)
    for text in HOSTILE:
        send(page, text)
        expect(user(page).last).to_contain_text(text)   # as text (the bubble adds the time)
    assert page.evaluate("() => window.__pwned") is None
    assert not page.dialogs
    assert page.locator("[data-testid=chat-panel] img, [data-testid=chat-panel] iframe, "
                        "[data-testid=chat-panel] svg[onload]").count() == 0


def test_renewal_in_the_widget_leaves_no_secret_in_browser_storage(page, cluster):
    person = people(1, start=400)[0]
    seed_renewable(cluster, [person])
    send(page, "금융인증서 갱신하고 싶어요")
    send(page, "휴대폰 문자로 할게요")
    send(page, person.name)
    send(page, person.birth_date.replace("-", ""))
    send(page, person.phone)
    expect(bot(page).last).to_contain_text(person.masked_phone)
    code = _code_for_page(cluster, page, person)
    _type_secret(page, code)
    expect(bot(page).last).to_contain_text("이대로 갱신할까요")
    send(page, "네")
    expect(bot(page).last).to_contain_text("입력하면 바로 갱신돼요")
    _type_secret(page, PIN)
    expect(bot(page).last).to_contain_text("갱신이 끝났어요")
    storage = page.evaluate("""async () => ({
        local: Object.assign({}, window.localStorage), session: Object.assign({}, window.sessionStorage),
        cookie: document.cookie,
        indexeddb: indexedDB.databases ? (await indexedDB.databases()).map(d => d.name) : []})""")
    storage["cookies"] = page.context.cookies()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "browser-storage.json").write_text(json.dumps(storage, ensure_ascii=False, indent=2), encoding="utf-8")
    dumped = json.dumps(storage, ensure_ascii=False)
    assert PIN not in dumped and code not in dumped


def _type_secret(page, value: str) -> None:
    field = page.get_by_test_id("chat-input")
    expect(field).to_have_attribute("type", "password")
    before = bot(page).count()
    field.press_sequentially(value)
    field.press("Enter")
    expect(bot(page)).not_to_have_count(before)
    expect(page.get_by_test_id("typing")).to_have_count(0)


def _code_for_page(cluster, page, person) -> str:
    """The code as the visitor's demo phone panel would show it: the page's own phone endpoint, falling
    back to the backend's inbox for the masked phone."""
    reply = page.request.get(f"{cluster.web_url}/demo/phone")
    if reply.ok:
        for message in reply.json().get("messages", []):
            if message.get("kind") == "sms" and person.masked_phone in message.get("phone", ""):
                import re
                found = re.search(r"(\d{6})", message.get("text", ""))
                if found:
                    CODES_SEEN.append(found.group(1))
                    return found.group(1)
    stand_in = Customer(person, "", cluster.rasa_url, inbox_code(cluster), EventReader(cluster.extra["dsns"]["rasa"]))
    return inbox_code(cluster)(stand_in)

"""Browser tests: the whole product (certificate backend in demo mode, action server, Rasa, web
front) started on free loopback ports by `launcher.stack.start_stack`, driven by Playwright in
Debian's chromium (launched by path: Playwright's own browser download does not work here;
`make test-browser` installs the package when it is missing). The demo data is shared by the whole
session, so only one test may change a demo customer (test_renewal.py renews 김민준)."""
import os
import secrets
from pathlib import Path
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect, sync_playwright

from launcher.processes import ROOT
from launcher.stack import ONE_ADDRESS_MANY_VISITORS, start_stack

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run"]
ARTIFACTS = ROOT / "var" / "artifacts" / "browser"

expect.set_options(timeout=20_000)  # first answers of a freshly loaded model can take a few seconds


@pytest.fixture(scope="session")
def product(tmp_path_factory):
    """Backend + action server + Rasa + web front, fresh demo data.
    Yields SimpleNamespace(web_url, rasa_url, logs, backend) with backend.url/.token/.headers."""
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} missing: run scripts/ensure-chromium.sh (make test-browser does)")
    logs = tmp_path_factory.mktemp("browser-stack")
    # Agents are "on duty" around the clock here, so the live handoff test does not depend on the hour.
    os.environ["AGENT_HOURS"] = "daily 00:00-24:00"
    # Rasa's HTTP API with a fresh token: the agent desk (handoff test) needs it. Raises if there is no
    # trained model (make test-browser trains first).
    stack = start_stack(logs, web_env=ONE_ADDRESS_MANY_VISITORS, rasa_api_token=secrets.token_urlsafe(32))
    try:
        yield SimpleNamespace(web_url=stack.web_url, rasa_url=stack.rasa_url, logs=logs, backend=stack.backend)
    finally:
        stack.stop()


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, product, request):
    """A fresh context (empty localStorage) on the demo page; a screenshot is saved after each test
    and an uncaught script error on the page fails the test."""
    context = browser.new_context(locale="ko-KR", viewport={"width": 1280, "height": 860})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text)
            if "Content Security Policy" in msg.text else None)
    page.goto(product.web_url)
    yield page
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    try:
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"))
    finally:
        context.close()
    assert not errors, f"script errors or CSP violations on the page: {errors}"

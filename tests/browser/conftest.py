"""Browser tests: the web product (action server, Rasa, web front) started on free loopback ports,
driven by Playwright in Debian's chromium (launched by path: Playwright's own browser download does
not work here). The certificate backend is not started yet; the web front points at a dead port, so
the demo SMS panel stays hidden."""
import os
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests
from playwright.sync_api import expect, sync_playwright

from tests.integration.conftest import MODEL, _model_ready
from tests.processes import ROOT, free_port, start, stop, wait_until

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run"]
ARTIFACTS = ROOT / "var" / "artifacts" / "browser"

expect.set_options(timeout=20_000)  # first answers of a freshly loaded model can take a few seconds


@pytest.fixture(scope="session")
def product(tmp_path_factory):
    """Action server + Rasa + web front. Yields SimpleNamespace(web_url, rasa_url, logs)."""
    if not MODEL.exists():
        raise RuntimeError("No trained model: run `make train` first (make test does).")
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} missing: apt-get install -y chromium")
    logs = tmp_path_factory.mktemp("browser-logs")
    actions_port, rasa_port, web_port, dead_port = free_port(), free_port(), free_port(), free_port()
    env = {"ACTIONS_PORT": str(actions_port)}
    rasa_url = f"http://127.0.0.1:{rasa_port}"
    web_url = f"http://127.0.0.1:{web_port}"
    processes = []
    try:
        actions = start(["-m", "rasa_sdk", "--actions", "actions", "--port", str(actions_port)],
                        logs / "actions.log", env)
        processes.append(actions)
        rasa = start(["-m", "rasa", "run", "--model", str(MODEL), "--endpoints", "endpoints.yml",
                      "--credentials", "credentials.yml", "--interface", "127.0.0.1",
                      "--port", str(rasa_port)], logs / "rasa.log", env)
        processes.append(rasa)
        web_env = {**env, "WEB_PORT": str(web_port), "RASA_URL": rasa_url,
                   "BACKEND_URL": f"http://127.0.0.1:{dead_port}", "DEMO_MODE": "1"}
        web = start(["-m", "webchat.server"], logs / "web.log", web_env)
        processes.append(web)
        wait_until(lambda: requests.get(f"{web_url}/healthz", timeout=2).ok, 30, web, logs / "web.log")
        wait_until(lambda: requests.get(f"http://127.0.0.1:{actions_port}/health", timeout=2).ok,
                   60, actions, logs / "actions.log")
        wait_until(lambda: requests.get(rasa_url, timeout=2).ok and _model_ready(rasa_url),
                   240, rasa, logs / "rasa.log")
        yield SimpleNamespace(web_url=web_url, rasa_url=rasa_url, logs=logs)
    finally:
        stop(*reversed(processes))


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

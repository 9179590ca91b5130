"""The console's login over real HTTP (the whole web front app on a test server): hashed demo
passwords, HttpOnly session cookie, CSRF token, cross-origin refusal, lockout, roles, logout."""
import asyncio
import hashlib

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from agentdesk.db import agents, open_engine, sessions
from webchat.config import Settings
from webchat.server import create_app


@pytest.fixture
def desk_env(tmp_path, monkeypatch):
    monkeypatch.setenv("AGENTDESK_DB", str(tmp_path / "desk.sqlite3"))
    monkeypatch.setenv("CONVERSATIONS_DB", str(tmp_path / "conversations.sqlite3"))
    monkeypatch.setenv("DEMO_MODE", "1")
    monkeypatch.setenv("RASA_API_TOKEN", "")
    return tmp_path


def with_client(test, secret_file):
    async def go():
        settings = Settings.from_env({"WEB_PORT": "0", "RASA_URL": "http://127.0.0.1:9", "DEMO_MODE": "1",
                                      "BACKEND_URL": "http://127.0.0.1:9", "WEB_SECRET_FILE": str(secret_file)})
        async with TestClient(TestServer(create_app(settings))) as client:
            await test(client)
    asyncio.run(go())


async def login(client, name="agent1", password="demo-agent-1234", **headers):
    return await client.post("/agent/api/login", json={"login": name, "password": password}, headers=headers)


def test_login_sets_a_strict_http_only_cookie_and_stores_only_hashes(desk_env):
    async def test(client):
        reply = await login(client)
        assert reply.status == 200
        body = await reply.json()
        assert body["roles"] == ["agent"] and len(body["csrf"]) >= 32
        cookie = reply.headers["Set-Cookie"]
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/agent" in cookie
        token = reply.cookies["desk_session"].value
        engine = open_engine()
        with engine.connect() as db:
            stored = [r.token_hash for r in db.execute(select(sessions))]
            hashes = [r.password_hash for r in db.execute(select(agents))]
        assert stored == [hashlib.sha256(token.encode()).hexdigest()]
        assert all(h.startswith("scrypt$") and "demo" not in h for h in hashes)
        assert (await client.get("/agent/api/queue")).status == 200
    with_client(test, desk_env / "cookie-secret")


def test_state_changes_need_the_csrf_token_and_this_origin(desk_env):
    async def test(client):
        csrf = (await (await login(client)).json())["csrf"]
        take = "/agent/api/conversations/1/take"
        assert (await client.post(take, json={})).status == 403  # no token
        assert (await client.post(take, json={}, headers={"X-CSRF-Token": "x" * 43})).status == 403
        evil = {"X-CSRF-Token": csrf, "Origin": "http://evil.example"}
        assert (await client.post(take, json={}, headers=evil)).status == 403
        form = await client.post(take, data="a=1", headers={"X-CSRF-Token": csrf,
                                                            "Content-Type": "application/x-www-form-urlencoded"})
        assert form.status == 403
        assert (await client.post(take, json={}, headers={"X-CSRF-Token": csrf})).status == 404  # passes the checks
        assert (await login(client, Origin="http://evil.example")).status == 403
    with_client(test, desk_env / "cookie-secret")


def test_wrong_passwords_lock_the_login_for_a_while(desk_env):
    async def test(client):
        for _ in range(5):
            assert (await login(client, password="wrong-password")).status == 401
        assert (await login(client)).status == 429  # even the right password, until the lock ends
        assert (await login(client, name="nobody", password="x")).status == 401
    with_client(test, desk_env / "cookie-secret")


def test_roles_and_logout(desk_env):
    async def test(client):
        csrf = (await (await login(client, "analyst1", "demo-analyst-1234")).json())["csrf"]
        assert (await client.get("/agent/api/queue")).status == 403
        assert (await client.get("/agent/api/insights")).status == 200
        assert (await client.post("/agent/api/logout", json={}, headers={"X-CSRF-Token": csrf})).status == 200
        assert (await client.get("/agent/api/insights")).status == 401
        await login(client)
        assert (await client.get("/agent/api/insights")).status == 403
    with_client(test, desk_env / "cookie-secret")


def test_console_page_is_served_under_the_csp(desk_env):
    async def test(client):
        page = await client.get("/agent/")
        assert page.status == 200 and "script-src 'self'" in page.headers["Content-Security-Policy"]
        assert "<script src=\"/agent/static/console.js\"" in await page.text()
        assert (await client.get("/agent/static/..%2Fdb.py")).status == 404
    with_client(test, desk_env / "cookie-secret")

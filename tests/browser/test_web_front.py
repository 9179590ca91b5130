"""The web front on its own (no browser, no Rasa): headers, static files, proxy limits and the demo
phone token. Fake upstreams stand in for Rasa and the backend (the attacks on the real product are in
tests/security/test_web_*.py)."""
import asyncio
from concurrent.futures import ThreadPoolExecutor

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from webchat.config import Settings
from webchat.server import create_app


def _settings(rasa="http://127.0.0.1:9", backend="http://127.0.0.1:9", token="", demo=True):
    return Settings(port=0, rasa_url=rasa, backend_url=backend, phone_token=token, demo_mode=demo,
                    cookie_secret=b"test-secret")


async def _upstream(seen: list) -> TestServer:
    async def webhook(request):
        seen.append(await request.json())
        return web.json_response([{"recipient_id": "s", "text": "안녕하세요"}])

    async def inbox(request):
        seen.append(request.headers.get("Authorization"))
        return web.json_response({"messages": [], "ref": request.query.get("channel_ref")})

    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", webhook)
    app.router.add_get("/demo/phone/inbox", inbox)
    server = TestServer(app)
    await server.start_server()
    return server


def _run(check, **settings):
    async def main():
        seen = []
        upstream = await _upstream(seen)
        url = str(upstream.make_url("")).rstrip("/")
        defaults = {"rasa": url, "backend": url}
        client = TestClient(TestServer(create_app(_settings(**{**defaults, **settings}))))
        await client.start_server()
        try:
            await check(client, seen)
        finally:
            await client.close()
            await upstream.close()
    # Own thread: Playwright's sync API keeps an event loop running in the main thread.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(lambda: asyncio.run(main())).result()


def test_page_and_widget_are_served_with_csp():
    async def check(client, _):
        page = await client.get("/")
        assert page.status == 200 and page.headers["Content-Type"] == "text/html; charset=utf-8"
        assert "default-src 'self'" in page.headers["Content-Security-Policy"]
        assert "unsafe-inline" not in page.headers["Content-Security-Policy"]
        assert "<script>" not in await page.text()  # no inline script anywhere on the page
        js = await client.get("/widget/widget.js")
        assert js.headers["Content-Type"].startswith("text/javascript")
        assert (await client.get("/widget/..%2Fserver.py")).status == 404
        assert (await client.get("/widget/.hidden.js")).status == 404
    _run(check)


def test_webhook_is_proxied_and_limited():
    async def check(client, seen):
        ok = await client.post("/webhooks/rest/webhook",
                               json={"sender": "s", "message": "안녕", "metadata": {"pin": "135790"}})
        assert ok.status == 200 and (await ok.json())[0]["text"] == "안녕하세요"
        # The sender comes from the cookie the web front set, metadata is dropped.
        assert len(seen) == 1 and set(seen[0]) == {"sender", "message"} and seen[0]["message"] == "안녕"
        assert seen[0]["sender"] != "s" and len(seen[0]["sender"]) == 32
        big = await client.post("/webhooks/rest/webhook", json={"sender": "s", "message": "가" * 9000})
        assert big.status == 413 and len(seen) == 1
    _run(check)


def test_rasa_down_gives_502_in_korean():
    async def check(client, _):
        reply = await client.post("/webhooks/rest/webhook", json={"sender": "s", "message": "x"})
        assert reply.status == 502
        assert "연결하지 못했어요" in (await reply.json())["error"]
    _run(check, rasa="http://127.0.0.1:9")


def test_demo_phone_adds_the_phone_token_server_side():
    async def check(client, seen):
        before = await client.get("/demo/phone")  # no conversation yet: nothing to show, nothing asked
        assert before.status == 200 and await before.json() == {"messages": []} and seen == []
        await client.post("/webhooks/rest/webhook", json={"message": "안녕"})
        reply = await client.get("/demo/phone")
        assert reply.status == 200 and await reply.json() == {"messages": []}
        assert seen[-1] == "Bearer s3cret"
        assert (await client.get("/demo/sms-inbox")).status == 404  # the old all-visitors inbox is gone
    _run(check, token="s3cret")


def test_demo_phone_is_absent_outside_demo_mode():
    async def check(client, seen):
        assert (await client.get("/demo/phone")).status == 404
        assert seen == []
    _run(check, demo=False)

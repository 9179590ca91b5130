"""Same-origin web front for the chat widget: `python -m webchat.server`.

Why a tiny server of our own in front of Rasa (rather than CORS on Rasa or a custom Rasa connector):
the page, the widget files, Rasa's REST channel and the demo phone all share one origin, so the
browser needs no CORS at all; Rasa (:5005) and the certificate backend (:8700) stay on loopback; the
conversation is bound to a signed HttpOnly cookie set here (webchat/conversation.py), so the browser
never holds a conversation id; each client address has quotas (webchat/quota.py); and the demo
phone's credential is added here, so it never reaches the browser. Static files go out with a strict
Content-Security-Policy (no inline script, no third-party origin). Requests are logged without
bodies or query strings, and every log line is scrubbed (logsafety), because a message may carry a PIN.

Env: WEB_PORT (8080), WEB_HOST (127.0.0.1), RASA_URL, BACKEND_URL, BACKEND_PHONE_TOKEN or
BACKEND_PHONE_TOKEN_FILE, DEMO_MODE (off unless "1"), WEB_COOKIE_SECRET or WEB_SECRET_FILE,
WEB_COOKIE_SECURE, WEB_MESSAGES_PER_MINUTE, WEB_MESSAGE_BURST, WEB_NEW_CONVERSATIONS_PER_HOUR,
WEB_PHONE_REQUESTS_PER_MINUTE.
"""
import logging
import os
import re
from pathlib import Path

from aiohttp import ClientSession, web
from aiohttp.abc import AbstractAccessLogger

from agentdesk.app import mount as mount_agent_desk
from logsafety import install as install_log_scrubbing
from webchat.config import Settings
from webchat.proxy import (CLIENT, QUOTAS, SETTINGS, demo_phone, demo_phone_keys, make_quotas, new_conversation,
                           rasa_webhook, visitor_conversation)

STATIC = Path(__file__).resolve().parent / "static"
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}
SAFE_NAME = re.compile(r"^[A-Za-z0-9_-]+\.(html|js|css|svg|png)$")  # no dirs, no dot-files
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
       "form-action 'self'; frame-ancestors 'none'")


@web.middleware
async def security_headers(request: web.Request, handler):
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        response = exc
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault("X-Frame-Options", "DENY")
    if isinstance(response, web.HTTPException) and response.status >= 400:
        raise response
    return response


def _file(path: Path) -> web.Response:
    return web.Response(body=path.read_bytes(), headers={
        "Content-Type": CONTENT_TYPES[path.suffix], "Cache-Control": "no-cache"})


async def index(_request: web.Request) -> web.Response:
    return _file(STATIC / "index.html")


async def widget_file(request: web.Request) -> web.Response:
    name = request.match_info["name"]
    path = STATIC / name
    if not SAFE_NAME.match(name) or not path.is_file():
        raise web.HTTPNotFound()
    return _file(path)


async def health(_request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


class PathOnlyAccessLogger(AbstractAccessLogger):
    """Method, path (no query string), status, time: nothing a customer typed."""

    def log(self, request, response, time):
        self.logger.info("%s %s %s %s %.3fs", request.remote, request.method, request.path,
                         response.status, time)


def create_app(settings: Settings) -> web.Application:
    app = web.Application(middlewares=[security_headers], client_max_size=8 * 1024)
    app[SETTINGS] = settings
    app[QUOTAS] = make_quotas(settings)

    async def client_ctx(app_: web.Application):
        app_[CLIENT] = ClientSession(auto_decompress=True)
        yield
        await app_[CLIENT].close()

    app.cleanup_ctx.append(client_ctx)
    app.router.add_get("/", index)
    app.router.add_get("/widget/{name}", widget_file)
    app.router.add_get("/healthz", health)
    app.router.add_post("/webhooks/rest/webhook", rasa_webhook)
    app.router.add_post("/conversation/new", new_conversation)
    app.router.add_get("/demo/phone", demo_phone)
    app.router.add_post("/demo/phone/calls/{call_id}/keys", demo_phone_keys)
    # Live agent handoff (/chat/handoff) and the agent console (/agent/): agentdesk/. The visitor's
    # conversation is the one their signed cookie proves, as for every proxied message.
    mount_agent_desk(app, settings.rasa_url, conversation_of=visitor_conversation)
    return app


def main() -> None:
    install_log_scrubbing()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = Settings.from_env()
    logging.getLogger("webchat").info(
        "web front on http://127.0.0.1:%s → Rasa %s, backend %s, demo mode %s",
        settings.port, settings.rasa_url, settings.backend_url, "on" if settings.demo_mode else "off")
    web.run_app(create_app(settings), host=os.environ.get("WEB_HOST", "127.0.0.1"), port=settings.port, print=None,
                access_log_class=PathOnlyAccessLogger)


if __name__ == "__main__":
    main()

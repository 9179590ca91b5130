"""Mounts the agent desk into the web front: one call, `mount(app, conversation_of=...)`.

Routes: the console page under /agent/ (its API under /agent/api/), the customer's handoff calls
under /chat/handoff. State: the desk's own database (agents, sessions, queue, review labels);
conversations stay in Rasa's tracker store, read and written through Rasa's HTTP API.
"""
from __future__ import annotations

import asyncio
import logging
import os
import re
from pathlib import Path
from typing import Callable, Optional

from aiohttp import ClientSession, web

from agentdesk import auth, console, customer, insights_routes
from agentdesk.accounts import seed_demo_agents
from agentdesk.auth import ENGINE
from agentdesk.customer import CONVERSATION_OF, RASA
from agentdesk.db import open_engine
from agentdesk.rasa_api import RasaApi

log = logging.getLogger("agentdesk")
STATIC = Path(__file__).resolve().parent / "static"
SAFE_NAME = re.compile(r"^[A-Za-z0-9_-]+\.(js|css|svg|png)$")
TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml",
         ".png": "image/png", ".html": "text/html; charset=utf-8"}
RETENTION_EVERY_SECONDS = 3600


def _file(path: Path) -> web.Response:
    return web.Response(body=path.read_bytes(), headers={"Content-Type": TYPES[path.suffix], "Cache-Control": "no-cache"})


async def console_page(_request: web.Request) -> web.Response:
    return _file(STATIC / "console.html")


async def console_redirect(_request: web.Request) -> web.Response:
    raise web.HTTPFound("/agent/")


async def console_file(request: web.Request) -> web.Response:
    name = request.match_info["name"]
    if not SAFE_NAME.match(name) or not (STATIC / name).is_file():
        raise web.HTTPNotFound()
    return _file(STATIC / name)


def _demo_mode() -> bool:
    # Demo agents with published passwords exist only when demo mode is explicitly on.
    return os.environ.get("DEMO_MODE", "0").strip().lower() not in ("0", "false", "no", "off", "")


def mount(app: web.Application, rasa_url: str, conversation_of: Callable[[web.Request], Optional[str]]) -> None:
    app[CONVERSATION_OF] = conversation_of

    async def desk_ctx(app_: web.Application):
        engine = open_engine()
        app_[ENGINE] = engine
        if _demo_mode():
            await asyncio.get_running_loop().run_in_executor(None, seed_demo_agents, engine)
        token = os.environ.get("RASA_API_TOKEN", "")
        if not token:
            log.warning("RASA_API_TOKEN is not set: live agent handoff is off (Rasa's API stays closed)")
        session = ClientSession()
        app_[RASA] = RasaApi(session, rasa_url, token)
        purger = asyncio.create_task(insights_routes.retention_loop(RETENTION_EVERY_SECONDS, app_))
        yield
        purger.cancel()
        await session.close()
        engine.dispose()

    app.cleanup_ctx.append(desk_ctx)
    r = app.router
    r.add_get("/agent", console_redirect)
    r.add_get("/agent/", console_page)
    r.add_get("/agent/static/{name}", console_file)
    r.add_post("/agent/api/login", auth.login)
    r.add_post("/agent/api/logout", auth.logout)
    r.add_get("/agent/api/me", auth.me)
    r.add_get("/agent/api/queue", console.list_queue)
    r.add_get("/agent/api/conversations/{handoff_id}", console.conversation)
    r.add_post("/agent/api/conversations/{handoff_id}/take", console.take)
    r.add_post("/agent/api/conversations/{handoff_id}/reply", console.reply)
    r.add_post("/agent/api/conversations/{handoff_id}/handback", console.hand_back)
    r.add_post("/agent/api/conversations/{handoff_id}/close", console.close)
    r.add_get("/agent/api/insights", insights_routes.insights_page)
    r.add_get("/agent/api/review", insights_routes.review_inbox)
    r.add_post("/agent/api/review", insights_routes.save_review)
    r.add_get("/chat/handoff", customer.handoff_state)
    r.add_post("/chat/handoff", customer.request_handoff)
    r.add_post("/chat/handoff/leave", customer.leave_handoff)

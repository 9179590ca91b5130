"""The analyst's pages of the console: insights and the NLU review inbox (role "analyst"), and the
hourly retention purge the web front runs."""
from __future__ import annotations

import asyncio
import json
import logging
from typing import Any, Dict

from aiohttp import web

from agentdesk import insights, retention, review
from agentdesk.auth import ENGINE, json_error, requires
from agentdesk.conversation_store import load_conversations, open_conversations

log = logging.getLogger("agentdesk.insights")
CONVERSATIONS = web.AppKey("desk_conversations", object)


def _json(body: Any) -> web.Response:
    return web.json_response(body, headers={"Cache-Control": "no-store"}, dumps=lambda o: json.dumps(o, ensure_ascii=False))


def _conversations(request: web.Request):
    engine = request.app.get(CONVERSATIONS)
    if engine is None:
        engine = request.app[CONVERSATIONS] = open_conversations()
    return load_conversations(engine)


@requires("analyst")
async def insights_page(request: web.Request) -> web.Response:
    loop = asyncio.get_running_loop()
    report = await loop.run_in_executor(None, lambda: insights.compute(_conversations(request)))
    return _json(report)


@requires("analyst")
async def review_inbox(request: web.Request) -> web.Response:
    loop = asyncio.get_running_loop()

    def build() -> Dict[str, Any]:
        items = review.inbox(_conversations(request), review.reviewed_keys(request.app[ENGINE]))
        return {"items": items[:100], "labels": review.label_choices()}

    return _json(await loop.run_in_executor(None, build))


@requires("analyst")
async def save_review(request: web.Request) -> web.Response:
    try:
        body = await request.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return json_error(400, "잘못된 요청이에요.")
    key, label = str(body.get("key", "")), str(body.get("label", ""))
    if label not in review.label_choices():
        return json_error(400, "목록에 있는 라벨을 골라 주세요.")
    loop = asyncio.get_running_loop()
    items = await loop.run_in_executor(None, lambda: review.inbox(_conversations(request), set()))
    item = next((i for i in items if i["key"] == key), None)
    if item is None:  # only what the inbox offers can be labelled: no free text reaches the review file
        return json_error(404, "검토할 메시지를 찾지 못했어요.")
    review.save_label(request.app[ENGINE], item, label, request["desk_session"]["login"])
    return _json({"ok": True})


async def retention_loop(every_seconds: float, app: web.Application) -> None:
    while True:
        try:
            engine = app.get(CONVERSATIONS)
            if engine is None:
                engine = app[CONVERSATIONS] = open_conversations()
            deleted = await asyncio.get_running_loop().run_in_executor(None, retention.purge, engine, app[ENGINE])
            log.info("retention purge: %s", deleted)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a missing store must not stop the web front
            log.warning("retention purge failed: %s", type(exc).__name__)
        await asyncio.sleep(every_seconds)

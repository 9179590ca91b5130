"""The agent console's API (`/agent/api/...`): the queue, one conversation's masked transcript and
verified state, and the agent's actions (take, reply, hand back to the bot, close).

Only the agent holding a conversation writes to it. Every write goes to Rasa as events through its
token-protected HTTP API, so the conversation's one record stays Rasa's tracker store.
"""
from __future__ import annotations

import json
import time
from typing import Any, Dict

from aiohttp import web

from agentdesk import queue, texts
from agentdesk.auth import ENGINE, json_error, requires
from agentdesk.customer import RASA, expire_stale_requests
from agentdesk.rasa_api import RESUME, RasaUnavailable, desk_message
from agentdesk.transcript import read_events, verified_state

MAX_REPLY = 1000


def _json(body: Any, status: int = 200) -> web.Response:
    return web.json_response(body, status=status, headers={"Cache-Control": "no-store"},
                             dumps=lambda o: json.dumps(o, ensure_ascii=False))


def _public(handoff: Dict[str, Any], engine) -> Dict[str, Any]:
    """A handoff as the console sees it: no conversation id (it is the customer's session key)."""
    now = time.time()
    return {"id": handoff["id"], "state": handoff["state"], "position": queue.position(engine, handoff),
            "waited_seconds": int((handoff["taken_at"] or now) - handoff["requested_at"]),
            "requested_at": handoff["requested_at"], "agent_login": handoff["agent_login"],
            "agent_name": handoff["agent_name"]}


def _handoff_or_404(request: web.Request) -> Dict[str, Any]:
    try:
        handoff_id = int(request.match_info["handoff_id"])
    except ValueError:
        raise web.HTTPNotFound()
    handoff = queue.get(request.app[ENGINE], handoff_id)
    if handoff is None:
        raise web.HTTPNotFound()
    return handoff


@requires("agent")
async def list_queue(request: web.Request) -> web.Response:
    engine = request.app[ENGINE]
    await expire_stale_requests(request.app)
    return _json({"handoffs": [_public(h, engine) for h in queue.open_list(engine)]})


@requires("agent")
async def conversation(request: web.Request) -> web.Response:
    handoff = _handoff_or_404(request)
    try:
        tracker = await request.app[RASA].tracker(handoff["conversation_id"])
    except RasaUnavailable:
        return json_error(502, "대화를 불러오지 못했어요.")
    conv = read_events(tracker.get("events") or [])
    return _json({"handoff": _public(handoff, request.app[ENGINE]),
                  "customer": verified_state(conv.slots),
                  "turns": [t.as_dict() for t in conv.turns]})


@requires("agent")
async def take(request: web.Request) -> web.Response:
    handoff = _handoff_or_404(request)
    session = request["desk_session"]
    if not queue.take(request.app[ENGINE], handoff["id"], session["login"], session["name"]):
        return json_error(409, "이미 다른 상담원이 맡았거나 끝난 상담이에요.")
    try:
        await request.app[RASA].append(handoff["conversation_id"],
                                       [desk_message(texts.TAKEN.format(name=session["name"]), "system")])
    except RasaUnavailable:
        return json_error(502, "고객에게 연결 알림을 보내지 못했어요. 다시 시도해 주세요.")
    return _json({"handoff": _public(queue.get(request.app[ENGINE], handoff["id"]), request.app[ENGINE])})


def _held_by_me(request: web.Request, handoff: Dict[str, Any]) -> bool:
    return handoff["state"] == "active" and handoff["agent_login"] == request["desk_session"]["login"]


@requires("agent")
async def reply(request: web.Request) -> web.Response:
    handoff = _handoff_or_404(request)
    if not _held_by_me(request, handoff):
        return json_error(409, "내가 맡은 상담에만 답할 수 있어요.")
    try:
        body = await request.json()
    except ValueError:
        body = {}
    text = str((body or {}).get("text", "")).strip() if isinstance(body, dict) else ""
    if not text or len(text) > MAX_REPLY:
        return json_error(400, f"답변은 1~{MAX_REPLY}자로 써 주세요.")
    try:
        await request.app[RASA].append(handoff["conversation_id"],
                                       [desk_message(text, "agent", request["desk_session"]["name"])])
    except RasaUnavailable:
        return json_error(502, "답변을 보내지 못했어요. 다시 시도해 주세요.")
    return _json({"ok": True})


async def _finish(request: web.Request, closed_by: str, text: str) -> web.Response:
    handoff = _handoff_or_404(request)
    if not _held_by_me(request, handoff):
        return json_error(409, "내가 맡은 상담만 끝낼 수 있어요.")
    try:
        await request.app[RASA].append(handoff["conversation_id"], [desk_message(text, "system"), RESUME])
    except RasaUnavailable:
        return json_error(502, "상담을 넘기지 못했어요. 다시 시도해 주세요.")
    queue.close(request.app[ENGINE], handoff["id"], closed_by)
    return _json({"ok": True})


@requires("agent")
async def hand_back(request: web.Request) -> web.Response:
    return await _finish(request, "agent_handback", texts.HANDED_BACK)


@requires("agent")
async def close(request: web.Request) -> web.Response:
    return await _finish(request, "agent_close", texts.CLOSED)

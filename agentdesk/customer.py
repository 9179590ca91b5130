"""The customer's side of a handoff, for the widget (same origin, the visitor's own conversation only).

  POST /chat/handoff        join the queue (only after the bot paused the conversation on the customer's yes)
  GET  /chat/handoff        state, queue position and the desk's messages of the current handoff (polled)
  POST /chat/handoff/leave  back to the bot

The conversation is whatever the web front says the visitor's is (`CONVERSATION_OF`, the cookie
binding); the widget never names one.
"""
from __future__ import annotations

import json
import time
from typing import Any, Callable, Dict, List, Optional

from aiohttp import web

from agentdesk import queue, texts
from agentdesk.auth import ENGINE, json_error, same_origin
from agentdesk.rasa_api import PAUSE, RESUME, RasaApi, RasaUnavailable, desk_message
from agentdesk.privacy import mask_personal
from agentdesk.settings import desk_setting
from agentdesk.transcript import DESK_KEY
from certpolicy import load_policy


def _dumps(body) -> str:
    return json.dumps(body, ensure_ascii=False)


RASA = web.AppKey("desk_rasa", RasaApi)
CONVERSATION_OF = web.AppKey("desk_conversation_of", object)  # Callable[[web.Request], Optional[str]]


def _conversation(request: web.Request) -> Optional[str]:
    resolve: Callable[[web.Request], Optional[str]] = request.app[CONVERSATION_OF]
    return resolve(request)


def _checked_post(request: web.Request) -> Optional[web.Response]:
    if not same_origin(request) or request.content_type != "application/json":
        return json_error(403, "허용되지 않은 요청이에요.")
    return None


def desk_messages(tracker: Dict[str, Any], since: float) -> List[Dict[str, Any]]:
    """The agent's and the desk's messages after `since` (the handoff's start)."""
    out = []
    for event in tracker.get("events") or []:
        meta = event.get("metadata") or {}
        if event.get("event") != "bot" or meta.get(DESK_KEY) not in ("agent", "system"):
            continue
        ts = float(event.get("timestamp") or 0)
        if ts < since:
            continue
        message = {"id": f"{ts:.6f}", "from": meta[DESK_KEY], "text": mask_personal(event.get("text") or ""), "ts": ts}
        if meta[DESK_KEY] == "agent":
            message["name"] = meta.get("agent_name") or "상담원"
        out.append(message)
    return out


async def expire_stale_requests(app: web.Application, now: Optional[float] = None) -> int:
    """Closes requests nobody took within queue_timeout_minutes and gives the customer the bot back."""
    engine = app[ENGINE]
    limit = (time.time() if now is None else now) - desk_setting("queue_timeout_minutes") * 60
    closed = 0
    for handoff in queue.stale(engine, limit):
        try:
            await app[RASA].append(handoff["conversation_id"], [
                desk_message(texts.TIMED_OUT.format(phone=load_policy().customer_center_phone), "system"), RESUME])
        except RasaUnavailable:
            continue  # tried again on the next poll
        closed += queue.close(engine, handoff["id"], "timeout")
    return closed


REQUEST_FRESH_SECONDS = 600


def _fresh_request(tracker: Dict[str, Any], last: Optional[Dict[str, Any]], now: Optional[float] = None) -> bool:
    """The bot said yes to an agent (action_handoff_queue stamped the slot) recently, and that yes
    was not used by an earlier handoff: a page cannot queue or silence a conversation by itself."""
    stamp = (tracker.get("slots") or {}).get("handoff_requested_at")
    now = time.time() if now is None else now
    if not isinstance(stamp, (int, float)) or not now - REQUEST_FRESH_SECONDS <= stamp <= now + 5:
        return False
    return last is None or stamp > last["requested_at"]


async def request_handoff(request: web.Request) -> web.Response:
    refused = _checked_post(request)
    if refused:
        return refused
    conversation = _conversation(request)
    if not conversation:
        return json_error(400, texts.NOT_PAUSED)
    try:
        tracker = await request.app[RASA].tracker(conversation)
    except RasaUnavailable:
        return json_error(502, texts.DESK_DOWN)
    engine = request.app[ENGINE]
    handoff = queue.open_handoff(engine, conversation)
    if handoff is None:
        if not _fresh_request(tracker, queue.latest_handoff(engine, conversation)):
            return json_error(409, texts.NOT_PAUSED)
        try:  # Rasa's own switch: a paused conversation gets no bot replies until it is resumed
            await request.app[RASA].append(conversation, [PAUSE])
        except RasaUnavailable:
            return json_error(502, texts.DESK_DOWN)
        handoff = queue.enqueue(engine, conversation)
        tracker = None
    return await _state_response(request, conversation, handoff, tracker)


async def handoff_state(request: web.Request) -> web.Response:
    conversation = _conversation(request)
    if not conversation:
        return web.json_response({"state": "none", "messages": []}, headers={"Cache-Control": "no-store"})
    await expire_stale_requests(request.app)
    handoff = queue.latest_handoff(request.app[ENGINE], conversation)
    return await _state_response(request, conversation, handoff, None)


async def _state_response(request: web.Request, conversation: str, handoff: Optional[Dict[str, Any]],
                          tracker: Optional[Dict[str, Any]]) -> web.Response:
    if handoff is None:
        return web.json_response({"state": "none", "messages": []}, headers={"Cache-Control": "no-store"})
    try:
        tracker = tracker or await request.app[RASA].tracker(conversation)
    except RasaUnavailable:
        return json_error(502, texts.DESK_DOWN)
    body = {"state": handoff["state"], "handoff": handoff["id"],
            "position": queue.position(request.app[ENGINE], handoff),
            "agent_name": handoff["agent_name"] if handoff["state"] == "active" else None,
            "messages": desk_messages(tracker, handoff["requested_at"] - 1)}
    return web.json_response(body, headers={"Cache-Control": "no-store"},
                             dumps=_dumps)


async def leave_handoff(request: web.Request) -> web.Response:
    refused = _checked_post(request)
    if refused:
        return refused
    conversation = _conversation(request)
    engine = request.app[ENGINE]
    handoff = queue.open_handoff(engine, conversation) if conversation else None
    try:
        if handoff and queue.close(engine, handoff["id"], "customer"):
            await request.app[RASA].append(conversation, [desk_message(texts.CUSTOMER_LEFT, "system"), RESUME])
        elif conversation:
            # Paused but never queued (the widget was closed in between): still give the bot back.
            tracker = await request.app[RASA].tracker(conversation)
            if tracker.get("paused"):
                await request.app[RASA].append(conversation, [desk_message(texts.CUSTOMER_LEFT, "system"), RESUME])
    except RasaUnavailable:
        return json_error(502, texts.DESK_DOWN)
    return web.json_response({"state": "closed"}, headers={"Cache-Control": "no-store"})

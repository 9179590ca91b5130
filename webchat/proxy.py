"""Reverse-proxy handlers: the browser talks only to this origin; Rasa and the backend stay on loopback.

Every chat message is rebuilt here: ``sender`` comes from the visitor's signed cookie
(webchat/conversation.py), ``metadata`` and any other field are dropped, and each client address
has quotas (webchat/quota.py). Bodies are never logged: a chat message may carry a PIN or a code.
"""
import asyncio
import json
import logging
import os
import re
from functools import partial
from typing import Optional

from aiohttp import ClientError, ClientSession, ClientTimeout, web

from certpolicy.channel_ref import channel_ref
from webchat import conversation
from sharedstate.connection import redis_from_env
from sharedstate.quota import RedisQuota
from webchat.quota import Quota

log = logging.getLogger("webchat.proxy")

MAX_BODY = 8 * 1024
RASA_TIMEOUT = ClientTimeout(total=30)
PHONE_TIMEOUT = ClientTimeout(total=5)
RASA_DOWN = "상담 서버에 연결하지 못했어요. 잠시 후 다시 시도해 주세요."
RASA_SLOW = "상담 서버의 응답이 늦어지고 있어요. 잠시 후 다시 시도해 주세요."
TOO_MANY = "요청이 너무 많아요. {seconds}초 후에 다시 시도해 주세요."
BAD_MESSAGE = "메시지를 읽지 못했어요. 다시 입력해 주세요."
TOO_LONG = "메시지가 너무 길어요."
PHONE_DOWN = "데모 휴대폰을 불러오지 못했어요."
NOT_DEMO = "데모 모드가 아니에요."
NO_SUCH_CALL = "이 대화의 전화가 아니에요."
CALL_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")

SETTINGS = web.AppKey("settings", object)
CLIENT = web.AppKey("client", ClientSession)
QUOTAS = web.AppKey("quotas", dict)
_TRUST_PROXY = os.environ.get("WEB_TRUST_PROXY", "0").strip() == "1"


def make_quotas(settings) -> dict:
    shared = redis_from_env("WEB_REDIS_URL")   # the cluster: one bucket per client for every web front

    def quota(name: str, capacity: int, per_seconds: float):
        return RedisQuota(shared, name, capacity, per_seconds) if shared is not None else Quota(capacity, per_seconds)

    return {
        "message": quota("message", settings.message_burst, 60 * settings.message_burst / settings.messages_per_minute),
        "conversation": quota("conversation", settings.new_conversations_per_hour, 3600),
        "phone": quota("phone", settings.phone_requests_per_minute, 60),
    }


def client_address(request: web.Request) -> str:
    """The visitor's address. Behind the cluster's nginx (WEB_TRUST_PROXY=1) every request comes from
    loopback, so the address nginx saw (X-Real-IP, which nginx always overwrites) is the visitor's;
    otherwise a client-sent header is never trusted."""
    remote = request.remote or "?"
    if _TRUST_PROXY and remote in ("127.0.0.1", "::1"):
        return request.headers.get("X-Real-IP", remote)
    return remote


def _error(status: int, message: str, **headers: str) -> web.Response:
    return web.json_response({"error": message}, status=status, headers={"Cache-Control": "no-store", **headers},
                             dumps=partial(json.dumps, ensure_ascii=False))


def _over_quota(request: web.Request, name: str) -> Optional[web.Response]:
    client = client_address(request)
    allowed, wait = request.app[QUOTAS][name].take(client)
    if allowed:
        return None
    log.warning("quota %s exceeded by %s", name, client)
    return _error(429, TOO_MANY.format(seconds=wait), **{"Retry-After": str(wait)})


def visitor_conversation(request: web.Request) -> Optional[str]:
    settings = request.app[SETTINGS]
    return conversation.conversation_from(settings.cookie_secret, request.cookies.get(conversation.COOKIE))


async def _read_limited(request: web.Request) -> bytes:
    if request.content_length is not None and request.content_length > MAX_BODY:
        raise web.HTTPRequestEntityTooLarge(max_size=MAX_BODY, actual_size=request.content_length)
    body = await request.content.read(MAX_BODY + 1)
    if len(body) > MAX_BODY:
        raise web.HTTPRequestEntityTooLarge(max_size=MAX_BODY, actual_size=len(body))
    return body


async def _message_from(request: web.Request) -> Optional[str]:
    try:
        payload = json.loads(await _read_limited(request))
    except ValueError:
        return None
    message = payload.get("message") if isinstance(payload, dict) else None
    return message if isinstance(message, str) and message.strip() else None


async def rasa_webhook(request: web.Request) -> web.Response:
    """POST /webhooks/rest/webhook → Rasa's REST channel, as {"sender": <cookie's id>, "message"}."""
    refused = _over_quota(request, "message")
    if refused is not None:
        return refused
    try:
        message = await _message_from(request)
    except web.HTTPRequestEntityTooLarge:
        return _error(413, TOO_LONG)
    if message is None:
        return _error(400, BAD_MESSAGE)
    settings = request.app[SETTINGS]
    conversation_id = visitor_conversation(request)
    fresh = conversation_id is None
    if fresh:  # no (valid) cookie: a new conversation, whatever id the body claimed
        refused = _over_quota(request, "conversation")
        if refused is not None:
            return refused
        conversation_id = conversation.new_id()
    try:
        async with request.app[CLIENT].post(
            f"{settings.rasa_url}/webhooks/rest/webhook", json={"sender": conversation_id, "message": message},
            timeout=RASA_TIMEOUT,
        ) as upstream:
            payload = await upstream.read()
            response = web.Response(body=payload, status=upstream.status,
                                    content_type="application/json", headers={"Cache-Control": "no-store"})
    except asyncio.TimeoutError:
        log.warning("Rasa timed out")
        response = _error(504, RASA_SLOW)
    except ClientError as exc:
        log.warning("Rasa unreachable: %s", type(exc).__name__)
        response = _error(502, RASA_DOWN)
    if fresh:
        conversation.set_cookie(response, settings.cookie_secret, conversation_id, settings.cookie_secure)
    return response


async def new_conversation(request: web.Request) -> web.Response:
    """POST /conversation/new ("새 대화"): a fresh conversation id in a fresh cookie."""
    refused = _over_quota(request, "conversation")
    if refused is not None:
        return refused
    settings = request.app[SETTINGS]
    response = web.json_response({"ok": True}, headers={"Cache-Control": "no-store"})
    conversation.set_cookie(response, settings.cookie_secret, conversation.new_id(), settings.cookie_secure)
    return response


async def _phone_inbox(request: web.Request, conversation_id: str) -> web.Response | dict:
    settings = request.app[SETTINGS]
    try:
        async with request.app[CLIENT].get(
            f"{settings.backend_url}/demo/phone/inbox", params={"channel_ref": channel_ref(conversation_id)},
            headers={"Accept": "application/json", "Authorization": f"Bearer {settings.phone_token}"},
            timeout=PHONE_TIMEOUT,
        ) as upstream:
            if upstream.status == 404:
                return _error(404, NOT_DEMO)
            if upstream.status != 200:
                log.warning("backend phone inbox answered %s", upstream.status)
                return _error(502, PHONE_DOWN)
            payload = await upstream.json(content_type=None)
    except (ClientError, asyncio.TimeoutError, ValueError) as exc:
        log.warning("backend phone inbox unreachable: %s", type(exc).__name__)
        return _error(502, PHONE_DOWN)
    if not isinstance(payload, dict) or not isinstance(payload.get("messages"), list):
        return _error(502, PHONE_DOWN)
    return payload


async def demo_phone(request: web.Request) -> web.Response:
    """GET /demo/phone → the texts and calls of this visitor's own conversation (demo mode only)."""
    if not request.app[SETTINGS].demo_mode:
        return _error(404, NOT_DEMO)
    refused = _over_quota(request, "phone")
    if refused is not None:
        return refused
    conversation_id = visitor_conversation(request)
    if conversation_id is None:  # no conversation yet: nothing was sent to this visitor
        return web.json_response({"messages": []}, headers={"Cache-Control": "no-store"})
    inbox = await _phone_inbox(request, conversation_id)
    if isinstance(inbox, web.Response):
        return inbox
    return web.json_response({"messages": inbox["messages"]}, headers={"Cache-Control": "no-store"},
                             dumps=partial(json.dumps, ensure_ascii=False))


async def demo_phone_keys(request: web.Request) -> web.Response:
    """POST /demo/phone/calls/{call_id}/keys {"digits"} → key the ARS digits, for this visitor's own call only."""
    settings = request.app[SETTINGS]
    if not settings.demo_mode:
        return _error(404, NOT_DEMO)
    refused = _over_quota(request, "phone")
    if refused is not None:
        return refused
    call_id = request.match_info["call_id"]
    conversation_id = visitor_conversation(request)
    try:
        payload = json.loads(await _read_limited(request))
    except (ValueError, web.HTTPRequestEntityTooLarge):
        payload = None
    digits = payload.get("digits") if isinstance(payload, dict) else None
    if not isinstance(digits, str) or not digits.isdigit() or len(digits) > 8:
        return _error(400, "전화 키패드의 숫자만 눌러 주세요.")
    if conversation_id is None or not CALL_ID.match(call_id):
        return _error(404, NO_SUCH_CALL)
    inbox = await _phone_inbox(request, conversation_id)
    if isinstance(inbox, web.Response):
        return inbox
    own_calls = {str((m.get("call") or {}).get("call_id")) for m in inbox["messages"] if isinstance(m, dict)}
    if call_id not in own_calls:
        return _error(404, NO_SUCH_CALL)
    try:
        async with request.app[CLIENT].post(
            f"{settings.backend_url}/demo/phone/calls/{call_id}/keys", json={"digits": digits},
            headers={"Accept": "application/json", "Authorization": f"Bearer {settings.phone_token}"},
            timeout=PHONE_TIMEOUT,
        ) as upstream:
            body = await upstream.read()
            if upstream.status >= 500:
                return _error(502, PHONE_DOWN)
            return web.Response(body=body, status=upstream.status, content_type="application/json",
                                headers={"Cache-Control": "no-store"})
    except (ClientError, asyncio.TimeoutError) as exc:
        log.warning("backend phone keys unreachable: %s", type(exc).__name__)
        return _error(502, PHONE_DOWN)

"""Reverse-proxy handlers: the browser talks only to this origin; Rasa and the backend stay on loopback.

Bodies are never logged: a chat message may carry a PIN or a verification code.
"""
import asyncio
import json
import logging
from functools import partial

from aiohttp import ClientError, ClientSession, ClientTimeout, web

log = logging.getLogger("webchat.proxy")

MAX_BODY = 8 * 1024
RASA_TIMEOUT = ClientTimeout(total=30)
INBOX_TIMEOUT = ClientTimeout(total=5)
RASA_DOWN = "상담 서버에 연결하지 못했어요. 잠시 후 다시 시도해 주세요."
RASA_SLOW = "상담 서버의 응답이 늦어지고 있어요. 잠시 후 다시 시도해 주세요."
INBOX_DOWN = "모의 문자함을 불러오지 못했어요."

SETTINGS = web.AppKey("settings", object)
CLIENT = web.AppKey("client", ClientSession)


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status, headers={"Cache-Control": "no-store"},
                             dumps=partial(json.dumps, ensure_ascii=False))


async def _read_limited(request: web.Request) -> bytes:
    if request.content_length is not None and request.content_length > MAX_BODY:
        raise web.HTTPRequestEntityTooLarge(max_size=MAX_BODY, actual_size=request.content_length)
    body = await request.content.read(MAX_BODY + 1)
    if len(body) > MAX_BODY:
        raise web.HTTPRequestEntityTooLarge(max_size=MAX_BODY, actual_size=len(body))
    return body


async def rasa_webhook(request: web.Request) -> web.Response:
    """POST /webhooks/rest/webhook → Rasa's REST channel, body passed through unchanged."""
    try:
        body = await _read_limited(request)
    except web.HTTPRequestEntityTooLarge:
        return _error(413, "메시지가 너무 길어요.")
    settings = request.app[SETTINGS]
    try:
        async with request.app[CLIENT].post(
            f"{settings.rasa_url}/webhooks/rest/webhook", data=body,
            headers={"Content-Type": "application/json"}, timeout=RASA_TIMEOUT,
        ) as upstream:
            payload = await upstream.read()
            return web.Response(body=payload, status=upstream.status,
                                content_type="application/json", headers={"Cache-Control": "no-store"})
    except asyncio.TimeoutError:
        log.warning("Rasa timed out")
        return _error(504, RASA_SLOW)
    except ClientError as exc:
        log.warning("Rasa unreachable: %s", type(exc).__name__)
        return _error(502, RASA_DOWN)


async def sms_inbox(request: web.Request) -> web.Response:
    """GET /demo/sms-inbox → backend's demo inbox with the bearer token added (never sent to the browser)."""
    settings = request.app[SETTINGS]
    if not settings.demo_mode:
        return _error(404, "데모 모드가 아니에요.")
    headers = {"Accept": "application/json"}
    if settings.backend_token:
        headers["Authorization"] = f"Bearer {settings.backend_token}"
    try:
        async with request.app[CLIENT].get(
            f"{settings.backend_url}/demo/sms-inbox", params=request.query, headers=headers,
            timeout=INBOX_TIMEOUT,
        ) as upstream:
            if upstream.status == 404:
                return _error(404, "데모 모드가 아니에요.")
            if upstream.status != 200:
                log.warning("backend inbox answered %s", upstream.status)
                return _error(502, INBOX_DOWN)
            return web.Response(body=await upstream.read(), content_type="application/json",
                                headers={"Cache-Control": "no-store"})
    except (ClientError, asyncio.TimeoutError) as exc:
        log.warning("backend unreachable: %s", type(exc).__name__)
        return _error(502, INBOX_DOWN)

"""Agent login: scrypt-hashed passwords, a server-side session behind an HttpOnly cookie, a CSRF
token for every state-changing request, a pause after repeated wrong passwords, logout.

The cookie (Path=/agent, SameSite=Strict, HttpOnly) holds a random value; the database keeps only
its SHA-256, so a copy of the database opens no session. Every POST except login must send the
session's CSRF token in `X-CSRF-Token`; all POSTs must be JSON and, when the browser says where
they come from (`Origin`), come from this origin.
"""
from __future__ import annotations

import json
import asyncio
import hashlib
import hmac
import secrets
import time
from functools import wraps
from typing import Any, Awaitable, Callable, Dict, Optional

from aiohttp import web
from sqlalchemy import select

from agentdesk.accounts import find_agent
from agentdesk.db import agents, sessions
from agentdesk.passwords import DUMMY_HASH, verify_password
from agentdesk.settings import desk_setting

COOKIE = "desk_session"
COOKIE_PATH = "/agent"
ENGINE = web.AppKey("desk_engine", object)
Handler = Callable[..., Awaitable[web.StreamResponse]]


def _dumps(body) -> str:
    return json.dumps(body, ensure_ascii=False)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "ignore")).hexdigest()


def json_error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status, headers={"Cache-Control": "no-store"},
                             dumps=_dumps)


def same_origin(request: web.Request) -> bool:
    origin = request.headers.get("Origin")
    if origin is None:  # same-origin fetches of older browsers; the CSRF token still applies
        return True
    return origin == f"{request.scheme}://{request.host}"


def current_session(request: web.Request) -> Optional[Dict[str, Any]]:
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    engine = request.app[ENGINE]
    now = time.time()
    with engine.connect() as db:
        row = db.execute(select(sessions, agents.c.display_name, agents.c.roles)
                         .join(agents, agents.c.login == sessions.c.login)
                         .where(sessions.c.token_hash == _digest(token))).first()
    if row is None or row.expires_at < now:
        return None
    with engine.begin() as db:  # sliding idle timeout
        db.execute(sessions.update().where(sessions.c.token_hash == row.token_hash)
                   .values(expires_at=now + desk_setting("session_idle_minutes") * 60))
    return {"login": row.login, "name": row.display_name, "roles": row.roles.split(","), "csrf": row.csrf,
            "token_hash": row.token_hash}


def requires(role: Optional[str] = None) -> Callable[[Handler], Handler]:
    """Session required; for POST also JSON, same origin and the CSRF token; optionally a role."""
    def decorate(handler: Handler) -> Handler:
        @wraps(handler)
        async def wrapped(request: web.Request) -> web.StreamResponse:
            session = current_session(request)
            if session is None:
                return json_error(401, "로그인이 필요해요.")
            if request.method != "GET":
                if not same_origin(request) or request.content_type != "application/json":
                    return json_error(403, "허용되지 않은 요청이에요.")
                if not hmac.compare_digest(request.headers.get("X-CSRF-Token", ""), session["csrf"]):
                    return json_error(403, "보안 토큰이 맞지 않아요. 페이지를 새로 고쳐 주세요.")
            if role and role not in session["roles"]:
                return json_error(403, "이 화면을 볼 권한이 없어요.")
            request["desk_session"] = session
            return await handler(request)
        return wrapped
    return decorate


async def _read_json(request: web.Request) -> Dict[str, Any]:
    if request.content_type != "application/json":
        raise web.HTTPUnsupportedMediaType()
    try:
        body = await request.json()
    except ValueError:
        body = None
    return body if isinstance(body, dict) else {}


async def login(request: web.Request) -> web.Response:
    if not same_origin(request):
        return json_error(403, "허용되지 않은 요청이에요.")
    try:
        body = await _read_json(request)
    except web.HTTPUnsupportedMediaType:
        return json_error(415, "JSON으로 보내 주세요.")
    login_name, password = str(body.get("login", ""))[:64], str(body.get("password", ""))[:256]
    engine = request.app[ENGINE]
    agent = find_agent(engine, login_name)
    now = time.time()
    if agent and agent["locked_until"] > now:
        return json_error(429, "로그인 실패가 많아 잠시 잠겼어요. 잠시 후 다시 시도해 주세요.")
    loop = asyncio.get_running_loop()
    ok = await loop.run_in_executor(None, verify_password, password, agent["password_hash"] if agent else DUMMY_HASH)
    if not agent or not ok:
        if agent:
            failures = agent["failed_logins"] + 1
            locked = now + desk_setting("login_lock_minutes") * 60 if failures >= desk_setting("login_max_failures") else 0.0
            with engine.begin() as db:
                db.execute(agents.update().where(agents.c.login == agent["login"])
                           .values(failed_logins=0 if locked else failures, locked_until=locked))
        return json_error(401, "아이디나 비밀번호가 맞지 않아요.")
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    with engine.begin() as db:
        db.execute(agents.update().where(agents.c.login == agent["login"]).values(failed_logins=0, locked_until=0.0))
        db.execute(sessions.delete().where(sessions.c.expires_at < now))
        db.execute(sessions.insert().values(token_hash=_digest(token), login=agent["login"], csrf=csrf,
                                            expires_at=now + desk_setting("session_idle_minutes") * 60))
    response = web.json_response({"login": agent["login"], "name": agent["display_name"],
                                  "roles": agent["roles"].split(","), "csrf": csrf},
                                 headers={"Cache-Control": "no-store"})
    response.set_cookie(COOKIE, token, path=COOKIE_PATH, httponly=True, samesite="Strict",
                        secure=request.secure)
    return response


@requires()
async def logout(request: web.Request) -> web.Response:
    with request.app[ENGINE].begin() as db:
        db.execute(sessions.delete().where(sessions.c.token_hash == request["desk_session"]["token_hash"]))
    response = web.json_response({"ok": True}, headers={"Cache-Control": "no-store"})
    response.del_cookie(COOKIE, path=COOKIE_PATH)
    return response


@requires()
async def me(request: web.Request) -> web.Response:
    s = request["desk_session"]
    return web.json_response({"login": s["login"], "name": s["name"], "roles": s["roles"], "csrf": s["csrf"]},
                             headers={"Cache-Control": "no-store"})

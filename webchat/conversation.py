"""The visitor's conversation, bound to an HttpOnly cookie the web front signs and checks.

The browser never sees or sends a conversation id of its own: the cookie carries
``<id>.<HMAC(id)>``, is HttpOnly (no script on the embedding page can read it) and SameSite=Strict
(no other site can make the browser send it). Every proxied message gets its ``sender`` from
the cookie, so an id read from a log, a database dump or an old widget's localStorage opens
nothing: without the cookie a request starts a new, empty conversation.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from typing import Optional

COOKIE = "kbcert_conversation"
MAX_AGE_SECONDS = 24 * 60 * 60
_ID = re.compile(r"^[0-9a-f]{32}$")


def new_id() -> str:
    return secrets.token_hex(16)


def _signature(secret: bytes, conversation_id: str) -> str:
    return hmac.new(secret, b"conversation:" + conversation_id.encode("ascii"), hashlib.sha256).hexdigest()


def cookie_value(secret: bytes, conversation_id: str) -> str:
    return f"{conversation_id}.{_signature(secret, conversation_id)}"


def conversation_from(secret: bytes, value: Optional[str]) -> Optional[str]:
    """The conversation id a cookie value proves, or None (missing, malformed or forged)."""
    if not value or value.count(".") != 1:
        return None
    conversation_id, signature = value.split(".")
    if not _ID.match(conversation_id):
        return None
    return conversation_id if hmac.compare_digest(signature, _signature(secret, conversation_id)) else None


def set_cookie(response, secret: bytes, conversation_id: str, secure: bool) -> None:
    response.set_cookie(COOKIE, cookie_value(secret, conversation_id), max_age=MAX_AGE_SECONDS, path="/",
                        httponly=True, samesite="Strict", secure=secure)

"""The one client for the certificate backend: typed calls, short timeouts, error mapping.

Every failure reaches the flows as one of two exceptions: ``BackendRefused`` (the backend
answered with a business error such as PIN_INVALID; it carries the Korean message and
details) or ``BackendUnavailable`` (timeout, connection refused, 5xx, garbage): the flows
apologise, offer "다시 시도" and keep the form state.

Live credentials never leave through the return values: the verification id and token come
back as vault references (actions/secret_vault.py) and every call accepts such a reference
where it needs the clear value, so slots (and so the tracker store) only ever hold references.
"""
from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional

import aiohttp

from actions.secret_vault import VAULT
from certpolicy.channel_ref import channel_ref as conversation_ref
from http_pool import SessionPerLoop, keepalive_connector

DEFAULT_TIMEOUT_SECONDS = 5.0


class BackendUnavailable(Exception):
    """The backend could not be reached or failed on its side."""


@dataclass
class BackendRefused(Exception):
    status: int
    code: str
    message: str
    details: Dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


@dataclass(frozen=True)
class BackendConfig:
    url: str
    token: str
    timeout: float = DEFAULT_TIMEOUT_SECONDS

    @classmethod
    def from_env(cls) -> "BackendConfig":
        token = os.environ.get("BACKEND_TOKEN")
        token_file = os.environ.get("BACKEND_TOKEN_FILE", "var/backend/api-token")
        if not token and Path(token_file).exists():
            token = Path(token_file).read_text(encoding="ascii").strip()
        return cls(url=os.environ.get("BACKEND_URL", "http://127.0.0.1:8700").rstrip("/"),
                   token=token or "",
                   timeout=float(os.environ.get("BACKEND_TIMEOUT_SECONDS", DEFAULT_TIMEOUT_SECONDS)))


# One keep-alive pool per event loop for every BackendClient (http_pool says why and how).
POOL = SessionPerLoop(lambda: aiohttp.ClientSession(connector=keepalive_connector()))


class BackendClient:
    def __init__(self, config: Optional[BackendConfig] = None) -> None:
        self.config = config or BackendConfig.from_env()

    async def _call(self, method: str, path: str, *, token: Optional[str] = None,
                    body: Optional[Dict[str, Any]] = None, idempotency_key: Optional[str] = None) -> Dict[str, Any]:
        headers = {"Authorization": f"Bearer {self.config.token}"}
        if token:
            headers["X-Verification-Token"] = VAULT.reveal(token) or ""
        if idempotency_key:
            headers["Idempotency-Key"] = VAULT.reveal(idempotency_key) or ""
        timeout = aiohttp.ClientTimeout(total=self.config.timeout)  # covers waiting for a pooled connection
        try:
            async with POOL.get().request(method, self.config.url + path, json=body, headers=headers,
                                          timeout=timeout) as reply:
                status = reply.status
                payload = await reply.json(content_type=None)
        # aiohttp's timeout raises asyncio.TimeoutError, which on Python 3.10 is not the builtin
        # TimeoutError: both are named, or a slow backend would escape as an unhandled error.
        except (aiohttp.ClientError, asyncio.TimeoutError, TimeoutError, ValueError, OSError) as error:
            raise BackendUnavailable(type(error).__name__) from None
        if status >= 500 or not isinstance(payload, dict):
            raise BackendUnavailable(f"HTTP {status}")
        if status >= 400:
            error = payload.get("error") or {}
            details = {k: v for k, v in error.items() if k not in ("code", "message")}
            raise BackendRefused(status, str(error.get("code", "UNKNOWN")), str(error.get("message", "")), details)
        return payload

    async def start_verification(self, method: str, name: str, birth_date: str, phone: str,
                                 sender_id: Optional[str] = None, channel_ref: Optional[str] = None) -> Dict[str, Any]:
        """Start an identity check for one conversation; the returned ``verification_id`` is a vault reference.

        The backend gets the conversation's ``channel_ref`` (never its id) so the demo phone shows a
        visitor only the texts of their own conversation. It is computed from ``sender_id``, or from
        the conversation the action server is serving when neither is given.
        """
        body = {"method": method, "name": name, "birth_date": birth_date, "phone": phone}
        sender_id = sender_id or VAULT.sender
        if channel_ref or sender_id:
            body["channel_ref"] = channel_ref or conversation_ref(sender_id)
        started = await self._call("POST", "/v1/verifications", body=body)
        return _sealed(started, "verification_id")

    async def confirm_verification(self, verification_id: str, code: Optional[str] = None) -> Dict[str, Any]:
        """Confirm with the SMS code (ARS: no code). The returned ``verification_token`` is a vault reference."""
        confirmed = await self._call("POST", f"/v1/verifications/{VAULT.reveal(verification_id)}/confirm",
                                     body={"code": code} if code is not None else {})
        return _sealed(confirmed, "verification_token")

    async def verify_second_factor(self, token: str, account_password: str) -> Dict[str, Any]:
        """Issuance's second factor: the account password, checked (and counted) by the backend."""
        return await self._call("POST", "/v1/second-factor", token=token,
                                body={"account_password": account_password})

    async def status(self, token: str) -> Dict[str, Any]:
        return await self._call("GET", "/v1/certificates", token=token)

    async def issue(self, token: str, pin: str, idempotency_key: str) -> Dict[str, Any]:
        return await self._call("POST", "/v1/certificates", token=token, body={"pin": pin},
                                idempotency_key=idempotency_key)

    async def renew(self, token: str, serial: str, pin: str, idempotency_key: str) -> Dict[str, Any]:
        return await self._call("POST", f"/v1/certificates/{serial}/renew", token=token, body={"pin": pin},
                                idempotency_key=idempotency_key)

    async def check_pin(self, token: str, serial: str, pin: str) -> Dict[str, Any]:
        """The PIN is right if the certificate can sign with it (the backend's login test)."""
        return await self._call("POST", f"/v1/certificates/{serial}/sign", token=token,
                                body={"pin": pin, "challenge": "금융인증서 도우미 비밀번호 확인"})

    async def change_pin(self, token: str, serial: str, current_pin: str, new_pin: str) -> Dict[str, Any]:
        return await self._call("POST", f"/v1/certificates/{serial}/pin", token=token,
                                body={"current_pin": current_pin, "new_pin": new_pin})

    async def revoke(self, token: str, serial: str, pin: str) -> Dict[str, Any]:
        return await self._call("POST", f"/v1/certificates/{serial}/revoke", token=token, body={"pin": pin})

    async def connect_device(self, token: str, serial: str, pin: str, name: str) -> Dict[str, Any]:
        return await self._call("POST", f"/v1/certificates/{serial}/devices", token=token,
                                body={"pin": pin, "name": name})

    async def disconnect_device(self, token: str, serial: str, device_id: int) -> Dict[str, Any]:
        return await self._call("DELETE", f"/v1/certificates/{serial}/devices/{device_id}", token=token)

    async def list_devices(self, token: str, serial: str) -> List[Dict[str, Any]]:
        return (await self._call("GET", f"/v1/certificates/{serial}/devices", token=token))["devices"]


def _sealed(payload: Dict[str, Any], key: str) -> Dict[str, Any]:
    if payload.get(key) is not None:
        payload = {**payload, key: VAULT.seal(str(payload[key]))}
    return payload


class UsesBackendClient:
    """Mixin for actions: an injectable client (tests pass a fake), created lazily otherwise.

    Not an Action itself, so rasa_sdk does not try to register it.
    """

    def __init__(self, client: Optional[BackendClient] = None) -> None:
        self._client = client

    @property
    def client(self) -> BackendClient:
        if self._client is None:
            self._client = BackendClient()
        return self._client

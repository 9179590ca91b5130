"""An in-memory stand-in for BackendClient with the same methods and error behaviour.

Used to test the conversation logic in isolation (outages, refusals, retries); the same
flows are also tested against the real backend in test_flows_real_backend.py.
"""
from __future__ import annotations

import itertools
from datetime import date
from typing import Any, Dict, List, Optional, Set

from actions.backend_client import BackendRefused, BackendUnavailable
from certpolicy.calendar import add_years

_ids = itertools.count(1)


class FakeBackend:
    def __init__(self, state: str = "expiring", pin: str = "135790", expires_on: str = "2026-12-05",
                 days_left: int = 10) -> None:
        self.state, self.pin, self.expires_on, self.days_left = state, pin, expires_on, days_left
        self.devices: List[Dict[str, Any]] = []
        self.down: Set[str] = set()  # method names that raise BackendUnavailable
        self.calls: List[tuple] = []
        self.code = "482913"
        self.failed_pins = 0
        self.idempotency: Dict[str, Dict[str, Any]] = {}
        self.renewals = 0
        # ARS: the phone side keys the digits (tests call press_ars_keys); the chat only asks.
        self.ars_digits = "37"
        self.ars_state: Dict[str, str] = {}  # verification_id -> "ringing" | "confirmed" | "failed"
        # Second factor (계좌 비밀번호) per the contract.
        self.account_password = "2580"
        self.bank_customer = True
        self.second_factor_failures = 0
        self.second_factor_threshold = 5
        self.second_factor_tokens: Set[str] = set()

    def _enter(self, name: str, *args: Any) -> None:
        self.calls.append((name, *args))
        if name in self.down:
            raise BackendUnavailable("down")

    async def start_verification(self, method, name, birth_date, phone, *args, **kwargs):
        self._enter("start_verification", method, name, birth_date, phone)
        verification_id = f"v{next(_ids)}"
        started = {"verification_id": verification_id, "method": method,
                   "masked_phone": f"{phone[:3]}-****-{phone[-4:]}", "expires_at": "…", "max_attempts": 5}
        if method == "ars":
            self.ars_state[verification_id] = "ringing"
            started["ars_digits"] = self.ars_digits
        else:
            started["code_length"] = 6
        return started

    def press_ars_keys(self, digits: str) -> None:
        """The phone side: the customer keys digits on the call (POST /demo/phone/calls/{id}/keys)."""
        verification_id = list(self.ars_state)[-1]
        self.ars_state[verification_id] = "confirmed" if digits == self.ars_digits else "failed"

    async def confirm_verification(self, verification_id, code=None):
        self._enter("confirm_verification", verification_id, code)
        if verification_id in self.ars_state:
            if code is not None:
                raise BackendRefused(400, "VALIDATION_ERROR", "ARS 확인에는 숫자를 보내지 않아요.")
            state = self.ars_state[verification_id]
            if state == "ringing":
                raise BackendRefused(409, "ARS_PENDING", "아직 전화에서 확인되지 않았어요.")
            if state == "failed":
                raise BackendRefused(400, "VERIFICATION_FAILED", "전화에서 숫자를 여러 번 잘못 눌렀어요.",
                                     {"remaining_attempts": 0})
        elif code != self.code:
            raise BackendRefused(400, "VERIFICATION_FAILED", "인증번호가 맞지 않아요. 4번 더 입력할 수 있어요.",
                                 {"remaining_attempts": 4})
        return {"verification_token": "token-1", "expires_at": "…",
                "customer": {"name": "김민준", "has_certificate": self.state != "none"}}

    async def verify_second_factor(self, token, account_password):
        self._enter("verify_second_factor", token, account_password)
        if not self.bank_customer:
            raise BackendRefused(403, "NOT_A_BANK_CUSTOMER", "인터넷뱅킹 고객이 아니에요.")
        if self.second_factor_failures >= self.second_factor_threshold:
            raise BackendRefused(423, "SECOND_FACTOR_LOCKED", "계좌 비밀번호가 잠겼어요.")
        if account_password != self.account_password:
            self.second_factor_failures += 1
            remaining = self.second_factor_threshold - self.second_factor_failures
            if remaining == 0:
                raise BackendRefused(423, "SECOND_FACTOR_LOCKED", "계좌 비밀번호가 잠겼어요.")
            raise BackendRefused(400, "SECOND_FACTOR_INVALID", f"계좌 비밀번호가 맞지 않아요. {remaining}번 남았어요.",
                                 {"remaining_attempts": remaining})
        self.second_factor_failures = 0
        self.second_factor_tokens.add(token)
        return {"verified": True}

    def _current(self) -> Optional[Dict[str, Any]]:
        if self.state == "none":
            return None
        return {"serial": "abc123", "state": self.state, "expires_on": self.expires_on,
                "days_left": self.days_left, "renewal_opens_on": "2026-11-05", "devices": list(self.devices)}

    async def status(self, token):
        self._enter("status", token)
        return {"current": self._current()}

    def _check(self, pin):
        if self.state == "locked":
            raise BackendRefused(409, "CERT_LOCKED", "잠겼어요.", {"next_step": "reissue"})
        if pin != self.pin:
            self.failed_pins += 1
            raise BackendRefused(403, "PIN_INVALID", f"비밀번호가 맞지 않아요. {5 - self.failed_pins}번 더 틀리면 인증서가 잠겨요.",
                                 {"remaining_tries": 5 - self.failed_pins})

    async def check_pin(self, token, serial, pin):
        self._enter("check_pin", token, serial, pin)
        self._check(pin)
        return {"signature": "…"}

    async def renew(self, token, serial, pin, idempotency_key):
        self._enter("renew", token, serial, pin, idempotency_key)
        if idempotency_key in self.idempotency:
            return self.idempotency[idempotency_key]
        self._check(pin)
        self.renewals += 1
        new_expiry = add_years(date.fromisoformat(self.expires_on), 3).isoformat()
        result = {"certificate": {"serial": f"new{self.renewals}", "expires_on": new_expiry}}
        self.idempotency[idempotency_key] = result
        self.state, self.expires_on = "active", new_expiry
        return result

    async def issue(self, token, pin, idempotency_key):
        self._enter("issue", token, pin, idempotency_key)
        if token not in self.second_factor_tokens:
            raise BackendRefused(403, "SECOND_FACTOR_REQUIRED", "계좌 비밀번호 확인이 필요해요.")
        reissued = self.state != "none"
        self.state, self.pin = "active", pin
        return {"certificate": {"serial": "issued1", "expires_on": "2029-11-25"}, "reissued": reissued}

    async def change_pin(self, token, serial, current_pin, new_pin):
        self._enter("change_pin", token, serial, current_pin, new_pin)
        self._check(current_pin)
        self.pin = new_pin
        return {"changed": True}

    async def revoke(self, token, serial, pin):
        self._enter("revoke", token, serial, pin)
        self._check(pin)
        self.state = "none"
        return {"state": "revoked"}

    async def connect_device(self, token, serial, pin, name):
        self._enter("connect_device", token, serial, pin, name)
        self._check(pin)
        self.devices.append({"id": next(_ids), "name": name})
        return {"device": self.devices[-1]}

    async def list_devices(self, token, serial):
        self._enter("list_devices", token, serial)
        return list(self.devices)

    async def disconnect_device(self, token, serial, device_id):
        self._enter("disconnect_device", token, serial, device_id)
        device = next(d for d in self.devices if d["id"] == device_id)
        self.devices.remove(device)
        return {"disconnected": device}

"""A real certificate backend (subprocess, temporary database) and a small HTTP helper."""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any, Dict, Optional

import pytest
import requests

from launcher.processes import Backend, start_backend, stop

DEMO_PIN = "135790"
_phone_numbers = itertools.count(1000)


@dataclass(frozen=True)
class Person:
    name: str
    birth_date: str
    phone: str


class Api:
    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    def call(self, method: str, path: str, token: Optional[str] = None, idempotency_key: Optional[str] = None,
             json: Any = None, **kwargs) -> requests.Response:
        headers = dict(self.backend.headers)
        if token:
            headers["X-Verification-Token"] = token
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        headers.update(kwargs.pop("headers", {}))
        return requests.request(method, self.backend.url + path, json=json, headers=headers,
                                timeout=30, **kwargs)

    @staticmethod
    def new_person(name: str = "홍길동", birth_date: str = "1988-04-12") -> Person:
        """A customer nobody else uses: the phone's last four digits are unique per test."""
        return Person(name, birth_date, f"010-7123-{next(_phone_numbers):04d}")

    def start_sms(self, person: Person) -> Dict[str, Any]:
        reply = self.call("POST", "/v1/verifications", json={
            "method": "sms", "name": person.name, "birth_date": person.birth_date, "phone": person.phone})
        assert reply.status_code == 201, reply.text
        return reply.json()

    def sms_code(self, person: Person) -> str:
        return self.backend.latest_sms_code(f"{person.phone[:3]}-****-{person.phone[-4:]}")

    def verify(self, person: Person) -> str:
        started = self.start_sms(person)
        reply = self.call("POST", f"/v1/verifications/{started['verification_id']}/confirm",
                          json={"code": self.sms_code(person)})
        assert reply.status_code == 200, reply.text
        return reply.json()["verification_token"]

    def issue(self, token: str, pin: str = "482915", **kwargs) -> requests.Response:
        return self.call("POST", "/v1/certificates", token=token, json={"pin": pin}, **kwargs)

    def status(self, token: str) -> Dict[str, Any]:
        reply = self.call("GET", "/v1/certificates", token=token)
        assert reply.status_code == 200, reply.text
        return reply.json()

    def move_clock(self, days: float) -> None:
        assert self.call("POST", "/demo/clock", json={"offset_days": days}).status_code == 200


@pytest.fixture(scope="session")
def backend(tmp_path_factory):
    server = start_backend(tmp_path_factory.mktemp("backend"))
    yield server
    stop(server.process)


@pytest.fixture
def api(backend):
    client = Api(backend)
    yield client
    client.move_clock(0)  # every test starts at the real time

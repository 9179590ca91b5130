"""A real certificate backend (subprocess, temporary database) and a small HTTP helper."""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any, Dict, Optional

import pytest
import requests

from certpolicy.channel_ref import channel_ref
from launcher.processes import Backend, start_backend, stop

DEMO_PIN = "135790"
ACCOUNT_PASSWORD = "7391"
_phone_numbers = itertools.count(1000)


@dataclass(frozen=True)
class Person:
    name: str
    birth_date: str
    phone: str
    account_password: str = ACCOUNT_PASSWORD

    @property
    def masked_phone(self) -> str:
        return f"{self.phone[:3]}-****-{self.phone[-4:]}"

    @property
    def channel_ref(self) -> str:
        """The conversation this person chats in (one per person in these tests)."""
        return channel_ref(f"backend-test:{self.name}:{self.birth_date}:{self.phone}")

    @property
    def identity(self) -> Dict[str, str]:
        return {"name": self.name, "birth_date": self.birth_date, "phone": self.phone}


class Api:
    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self._people: Dict[str, Person] = {}  # verification token -> person

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

    def phone(self, method: str, path: str, **kwargs) -> requests.Response:
        """A call with the phone-side credential (what only the web front holds)."""
        return requests.request(method, self.backend.url + path, headers=self.backend.phone_headers,
                                timeout=30, **kwargs)

    def new_person(self, name: str = "홍길동", birth_date: str = "1988-04-12", bank_customer: bool = True) -> Person:
        """A customer nobody else uses: the phone's last four digits are unique per test.
        A bank customer has an account (and its password, the second factor for issuance)."""
        person = Person(name, birth_date, f"010-7123-{next(_phone_numbers):04d}")
        if bank_customer:
            reply = self.call("POST", "/demo/accounts",
                              json={**person.identity, "account_password": person.account_password})
            assert reply.status_code == 201, reply.text
        return person

    def start(self, person: Person, method: str = "sms") -> Dict[str, Any]:
        reply = self.call("POST", "/v1/verifications", json={
            "method": method, **person.identity, "channel_ref": person.channel_ref})
        assert reply.status_code == 201, reply.text
        return reply.json()

    def start_sms(self, person: Person) -> Dict[str, Any]:
        return self.start(person, "sms")

    def inbox(self, person: Person):
        reply = self.phone("GET", "/demo/phone/inbox", params={"channel_ref": person.channel_ref})
        assert reply.status_code == 200, reply.text
        return reply.json()["messages"]

    def sms_code(self, person: Person) -> str:
        return self.backend.latest_sms_code(person.masked_phone, channel_ref=person.channel_ref)

    def verify(self, person: Person) -> str:
        started = self.start_sms(person)
        reply = self.call("POST", f"/v1/verifications/{started['verification_id']}/confirm",
                          json={"code": self.sms_code(person)})
        assert reply.status_code == 200, reply.text
        token = reply.json()["verification_token"]
        self._people[token] = person
        return token

    def second_factor(self, token: str, password: Optional[str] = None) -> requests.Response:
        password = password or self._people[token].account_password
        return self.call("POST", "/v1/second-factor", token=token, json={"account_password": password})

    def issue(self, token: str, pin: str = "482915", second_factor: bool = True, **kwargs) -> requests.Response:
        """Issue the way the product does: account password first, then the PIN."""
        if second_factor:
            checked = self.second_factor(token)
            assert checked.status_code == 200, checked.text
        return self.call("POST", "/v1/certificates", token=token, json={"pin": pin}, **kwargs)

    def status(self, token: str) -> Dict[str, Any]:
        reply = self.call("GET", "/v1/certificates", token=token)
        assert reply.status_code == 200, reply.text
        return reply.json()

    def audit(self, limit: int = 500):
        return self.call("GET", f"/v1/audit?limit={limit}").json()["events"]

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

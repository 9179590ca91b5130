"""Shared pieces of the backend attack tests (tests/security/test_backend_*.py).

Each attack test starts its own real backend (subprocess, temporary SQLite database) and attacks
it over HTTP. The client tolerates the API of a379e8e (no /demo/accounts, no second factor, the
shared /demo/sms-inbox) only so that the very same attack can be replayed against the old code to
show that it fails there; against today's backend those fallbacks are never taken.
"""
from __future__ import annotations

import re
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable, Iterable, List, Optional

import requests

from launcher.processes import Backend, start_backend, stop
from tests.backend.conftest import Api, Person

DEMO_PIN = "135790"
KIMMINJUN = Person("김민준", "1985-03-15", "010-1111-2222", "2580")  # expires in 10 days (README)


class AttackApi(Api):
    """The test client, able to run against the old API too (see the module docstring)."""

    def new_person(self, name: str = "홍길동", birth_date: str = "1988-04-12", bank_customer: bool = True) -> Person:
        try:
            return super().new_person(name, birth_date, bank_customer)
        except AssertionError:
            if self.call("POST", "/demo/accounts", json={}).status_code != 404:
                raise
            return Api.new_person(self, name, birth_date, bank_customer=False)  # a379e8e: no accounts

    def texts(self, person: Person) -> List[dict]:
        """What the person's phone received, as their own conversation sees it."""
        reply = self.phone("GET", "/demo/phone/inbox", params={"channel_ref": person.channel_ref})
        if reply.status_code in (401, 404) and self.old_inbox_exists():
            return self.call("GET", "/demo/sms-inbox").json()["messages"]
        assert reply.status_code == 200, reply.text
        return reply.json()["messages"]

    def old_inbox_exists(self) -> bool:
        return self.call("GET", "/demo/sms-inbox").status_code == 200

    def sms_code(self, person: Person) -> str:
        text = next(m["text"] for m in self.texts(person)
                    if m.get("kind", "sms") == "sms" and m["phone"] == person.masked_phone)
        return re.search(r"\[(\d{6})\]", text).group(1)

    def second_factor(self, token: str, password: Optional[str] = None) -> requests.Response:
        reply = super().second_factor(token, password)
        if reply.status_code == 404:  # a379e8e: no second factor at all
            reply.status_code = 200
        return reply


def fresh_backend(name: str, **kwargs) -> Backend:
    """A backend of its own for one test module (state changes stay in that module)."""
    directory = Path(tempfile.mkdtemp(prefix=f"attack-{name}-"))
    return start_backend(directory, **kwargs)


def finish(backend: Backend) -> None:
    stop(backend.process)
    shutil.rmtree(backend.data_dir, ignore_errors=True)


def in_parallel(calls: Iterable[Callable[[], requests.Response]], workers: int = 30) -> List[requests.Response]:
    """Fire the calls at once from separate threads (real parallel HTTP requests)."""
    calls = list(calls)
    with ThreadPoolExecutor(max_workers=min(workers, len(calls))) as pool:
        return list(pool.map(lambda call: call(), calls))


def error_code(reply: requests.Response) -> Optional[str]:
    try:
        return reply.json()["error"]["code"]
    except (ValueError, KeyError, TypeError):
        return None


def audit_actions(api: Api, action: str, serial: Optional[str] = None) -> int:
    return sum(1 for e in api.audit() if e["action"] == action and (serial is None or e["serial"] == serial))

"""Attack replays against the real product (issue 9). Each test names the finding it replays.

The shared ``product`` is the whole stack (backend in demo mode, action server, Rasa, web front)
on free loopback ports, with Rasa's trackers in SQLite behind the redacting tracker store, so a
test can read exactly what a database dump would show.
"""
import json
import os
import re
import secrets
import signal
import sqlite3
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Dict, List, Optional

import pytest
import requests

from launcher.stack import ONE_ADDRESS_MANY_VISITORS, start_stack

PIN = "135790"  # 김민준's certificate PIN (README demo customers)
MINJUN = {"name": "김민준", "birth": "1985년 3월 15일", "phone": "010 1111 2222", "masked": "010-****-2222"}


def endpoints_with_sqlite(directory: Path) -> Path:
    endpoints, trackers = directory / "endpoints.yml", directory / "trackers.db"
    endpoints.write_text(f"""
action_endpoint:
  url: http://127.0.0.1:${{ACTIONS_PORT}}/webhook
  headers:
    Authorization: Bearer ${{ACTION_SERVER_TOKEN}}
nlg:
  type: certpolicy.rasa_nlg.PolicyNaturalLanguageGenerator
tracker_store:
  type: redaction.tracker_store.RedactingTrackerStore
  store:
    type: sql
    dialect: sqlite
    db: {trackers}
""", encoding="utf-8")
    return endpoints


@pytest.fixture(scope="session")
def product(tmp_path_factory):
    logs = tmp_path_factory.mktemp("security")
    stack = start_stack(logs, endpoints=str(endpoints_with_sqlite(logs)), web_env=ONE_ADDRESS_MANY_VISITORS)
    stack.trackers = logs / "trackers.db"
    yield stack
    stack.stop()


class Visitor:
    """A browser-like client of the web front: keeps the cookie the web front sets, and sends a
    ``sender`` of its own as the old widget did (the web front must ignore it)."""

    def __init__(self, web_url: str) -> None:
        self.web_url = web_url
        self.http = requests.Session()
        self.claimed_sender = secrets.token_hex(16)

    def say(self, text: str, **extra) -> List[Dict]:
        reply = self.http.post(f"{self.web_url}/webhooks/rest/webhook", timeout=60,
                               json={"sender": self.claimed_sender, "message": text, **extra})
        assert reply.status_code == 200, reply.text
        return reply.json()

    @property
    def conversation_id(self) -> str:
        """The id Rasa knows this conversation by: the cookie's (without a cookie: the claimed one)."""
        value = self.http.cookies.get("kbcert_conversation")
        return value.split(".")[0] if value else self.claimed_sender


def texts(messages: List[Dict]) -> str:
    return "\n".join(m.get("text", "") for m in messages)


def sms_code(product, visitor: Visitor, masked_phone: str) -> str:
    """The code on the visitor's demo phone, read as the visitor reads it (GET /demo/phone at the
    web front), else straight from the backend's phone side for that conversation."""
    reply = visitor.http.get(f"{visitor.web_url}/demo/phone", timeout=10)
    messages = reply.json().get("messages", []) if reply.status_code == 200 else []
    for message in messages:
        found = re.search(r"\[(\d{6})\]", message.get("text", ""))
        if message.get("phone") == masked_phone and found:
            return found.group(1)
    return product.backend.latest_sms_code(masked_phone, sender_id=visitor.conversation_id)


def verify_minjun(product, visitor: Visitor, opening: str = "금융인증서 갱신하고 싶어요") -> str:
    """Through the web front: start a task and pass the SMS check as 김민준; returns the last answer."""
    visitor.say(opening)
    visitor.say("휴대폰 문자로 할게요")
    visitor.say(MINJUN["name"])
    visitor.say(MINJUN["birth"])
    visitor.say(MINJUN["phone"])
    return texts(visitor.say(sms_code(product, visitor, MINJUN["masked"])))


def stored_events(product, sender: Optional[str] = None) -> str:
    """Everything the tracker store holds (for one conversation, or all), as text."""
    with sqlite3.connect(product.trackers) as db:
        if sender is None:
            rows = db.execute("SELECT data FROM events").fetchall()
        else:
            rows = db.execute("SELECT data FROM events WHERE sender_id = ?", (sender,)).fetchall()
    return "\n".join(row[0] for row in rows)


def stored_slot_values(product, sender: str, slot: str) -> List:
    values = []
    for line in stored_events(product, sender).splitlines():
        event = json.loads(line)
        if event.get("event") == "slot" and event.get("name") == slot and event.get("value") is not None:
            values.append(event["value"])
    return values


def all_logs(product) -> str:
    return "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in Path(product.log_dir).glob("*.log"))


@contextmanager
def frozen(process: subprocess.Popen, seconds: float):
    """The process stops answering (SIGSTOP) for at most ``seconds`` after the block starts."""
    os.kill(process.pid, signal.SIGSTOP)
    started = time.monotonic()
    try:
        yield
    finally:
        time.sleep(max(0.0, seconds - (time.monotonic() - started)))
        os.kill(process.pid, signal.SIGCONT)

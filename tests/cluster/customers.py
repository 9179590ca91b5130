"""Customers for the cluster tests: seeded certificates, and a customer who renews over Rasa's REST
channel the way a person would: reading what the bot asks, answering it, retrying after an outage.

Every message sent and every reply received is kept (`Customer.turns`), so the tests can compare
them, turn by turn, with the events Rasa stored in PostgreSQL. When a request fails in transit (an
instance was killed), the customer does what the widget lets a person do: wait and send again;
whether the lost request was in fact processed is read back from PostgreSQL, so the comparison stays
exact (none lost, none duplicated).
"""
from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Callable, Dict, List, Optional

import psycopg2
import requests

from certpolicy.channel_ref import channel_ref

PIN = "135790"   # the demo PIN (README); seeded customers use it too
CODES_SEEN: List[str] = []   # every SMS code a test customer typed (the secret search looks for them)
OUTAGE = ("연결이 안 돼요", "상담 서버", "응답이 늦어지고")
TURN_TIMEOUT = 90.0    # a bound on one turn through nginx (the web front gives up at 30 s)

# What the bot asks (data/responses/task_flows.yml) → what the customer answers.
ASKS = (  # most specific first: the confirmation also mentions the 비밀번호
    ("retry", "다시 시도할까요"),
    ("confirm", "이대로 갱신할까요"),
    ("method", "어떤 방법으로 확인할까요"),
    ("name", "이름을 입력해 주세요"),
    ("birth", "생년월일 8자리를 입력해"),
    ("phone", "휴대폰 번호를 입력해"),
    ("code", "인증번호"),
    ("pin", "비밀번호"),
)
DONE = "갱신이 끝났어요"
RETRY_PAUSE_S = 2.0

SURNAMES = "김이박최정강조윤장임한오서신권황안송류전홍고문양손배백허남심노하곽성차주우구민유나진지엄채원천방공현함변염여추도소석선설마길연위표명기반왕금옥육인맹제모탁국어은편용예경봉사부가복태목형피두감음빈동온호범좌"
GIVEN = ["민서", "지우", "서연", "하준", "도윤", "예준", "시우", "주원", "지호", "지훈", "수아", "하은", "윤서", "채원",
         "지민", "유진", "현우", "준서", "건우", "은서"]


@dataclass(frozen=True)
class Person:
    name: str
    birth_date: str      # YYYY-MM-DD
    phone: str           # 010-XXXX-XXXX

    @property
    def masked_phone(self) -> str:
        return f"{self.phone[:3]}-****-{self.phone[-4:]}"


def people(count: int, start: int = 0) -> List[Person]:
    """Distinct made-up customers (names, birth dates, phone numbers nobody else uses)."""
    result = []
    for i in range(start, start + count):
        born = date(1950, 1, 1) + timedelta(days=(97 * i + 13) % (50 * 365))   # 1950-1999
        # Unique for i < len(SURNAMES) * len(GIVEN): the checks look customers up by name.
        result.append(Person(SURNAMES[i % len(SURNAMES)] + GIVEN[(i // len(SURNAMES)) % len(GIVEN)],
                             born.isoformat(), f"010-86{i // 100:02d}-{7000 + i % 100:04d}"))
    return result


def seed_renewable(stack, persons: List[Person], days_to_expiry: int = 10) -> None:
    """Give each person a certificate in its renewal window, through the backend's own seeding code
    against the cluster's database (the same path the demo customers take)."""
    from certbackend import demo
    from certbackend.context import build_context
    from certbackend.settings import Settings
    env = {"BACKEND_DATA_DIR": str(stack.backend.data_dir), "BACKEND_TOKEN": stack.backend.token,
           "BACKEND_DEMO_MODE": "1", "BACKEND_SEED_DEMO": "0",
           "BACKEND_DATABASE_URL": stack.extra["dsns"]["certbackend"].replace("postgresql://", "postgresql+psycopg2://")}
    ctx = build_context(Settings.from_env(env))
    try:
        created = demo.seed(ctx, [demo.DemoCustomer(p.name, p.birth_date, p.phone, "load test", days_to_expiry,
                                                    account_password="4826") for p in persons])
    finally:
        ctx.db.engine.dispose()
    assert created == len(persons), f"seeded {created} of {len(persons)}"


@dataclass
class Turn:
    sent: str
    secret: bool
    status: int                 # HTTP status, 0 for a transport failure
    replies: List[str]
    seconds: float
    recovered: bool = False     # the reply was lost in transit; read back from PostgreSQL


@dataclass
class Customer:
    person: Person
    sender: str
    rasa_url: str
    sms_code: Callable[["Customer"], str]
    events: "EventReader"
    turns: List[Turn] = field(default_factory=list)
    outages_seen: int = 0
    transport_failures: int = 0
    last_seen: List[str] = field(default_factory=list)
    last_seconds: float = 0.0

    def say(self, text: str, secret: bool = False, attempts: int = 12) -> List[str]:
        """Send one message; on a transport failure, 5xx or an 'unprocessed' answer, find out from
        PostgreSQL whether it was processed, and send it again only if it was not (what a person does
        after 'no answer' or 'please send it again'). `last_seen` keeps what the customer last saw."""
        for attempt in range(attempts):
            stored_before = self.events.user_count(self.sender)
            started = time.monotonic()
            try:
                reply = requests.post(f"{self.rasa_url}/webhooks/rest/webhook",
                                      json={"sender": self.sender, "message": text}, timeout=TURN_TIMEOUT)
                status = reply.status_code
                messages = reply.json() if status == 200 else None
            except (requests.RequestException, ValueError):
                status, messages = 0, None
            elapsed = time.monotonic() - started
            self.last_seen = [m.get("text") or "" for m in messages if isinstance(m, dict)] \
                if isinstance(messages, list) else []
            self.last_seconds = elapsed
            unprocessed = not isinstance(messages, list) or not messages or any(
                isinstance(m, dict) and (m.get("custom") or {}).get("unprocessed") for m in messages)
            if status == 200 and isinstance(messages, list) and not unprocessed:
                texts = [m["text"] for m in messages if m.get("text")]
                self.turns.append(Turn(text, secret, status, texts, elapsed))
                if any(marker in t for t in texts for marker in OUTAGE):
                    self.outages_seen += 1
                return texts
            self.transport_failures += 1
            time.sleep(1.0)
            stored = self.events.turns_after(self.sender, stored_before)
            if stored:   # processed although the reply was lost
                texts = stored[0][1]
                self.turns.append(Turn(text, secret, status, texts, elapsed, recovered=True))
                return texts
            if attempt + 1 == attempts:
                return []
            time.sleep(min(2.0 * (attempt + 1), 6.0))
        raise AssertionError(f"{self.sender}: no answer to a message after {attempts} attempts")

    def asked(self, texts: List[str]) -> Optional[str]:
        for text in reversed(texts):
            for step, marker in ASKS:
                if marker in text:
                    return step
        return None

    def renew(self, max_turns: int = 40, stop_at: Optional[str] = None, texts: Optional[List[str]] = None) -> List[str]:
        """Renew the certificate through the chat (or go on until the bot asks `stop_at`); raises when
        the bot goes somewhere unexpected. Returns the last replies."""
        texts = texts if texts is not None else self.say("금융인증서 갱신하고 싶어요")
        unknown = 0
        for _ in range(max_turns):
            if any(DONE in t for t in texts):
                return texts
            step = self.asked(texts)
            if step is not None and step == stop_at:
                return texts
            p = self.person
            answers = {"retry": ("/affirm", False), "method": ("휴대폰 문자로 할게요", False), "name": (p.name, False),
                       "birth": (p.birth_date.replace("-", ""), False), "phone": (p.phone, False),
                       "pin": (PIN, True), "confirm": ("네", False)}
            if step == "code":
                answer, secret = self.sms_code(self), True
            elif step == "retry":
                # A person reads the apology and waits a moment before "다시 시도". A renewal a killed
                # backend had claimed answers REQUEST_IN_PROGRESS (shown as this retry step) until the
                # key is abandoned (certbackend.idempotency, 30 s): the pause keeps max_turns above that.
                time.sleep(RETRY_PAUSE_S)
                answer, secret = answers[step]
            elif step in answers:
                answer, secret = answers[step]
            else:
                # A reply without a question: ask again, 3 tries. (A renewal still claimed at the backend
                # no longer ends the task with "같은 요청을 처리하고 있어요": it is the retry step above.)
                unknown += 1
                if unknown > 3:
                    break
                time.sleep(1.0)
                answer, secret = "금융인증서 갱신하고 싶어요", False
            texts = self.say(answer, secret)
        raise AssertionError(f"{self.sender}: renewal did not finish:\n"
                             + "\n---\n".join(" | ".join(t.replies) for t in self.turns[-6:]))


class EventReader:
    """Reads Rasa's stored conversations from PostgreSQL (the `events` table of its SQL store)."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn

    def _rows(self, sender: str):
        with psycopg2.connect(self.dsn, connect_timeout=5) as connection, connection.cursor() as cursor:
            cursor.execute("SELECT type_name, data FROM events WHERE sender_id = %s AND type_name IN ('user', 'bot') "
                           "ORDER BY id", (sender,))
            rows = cursor.fetchall()
        connection.close()
        return rows

    def turns(self, sender: str) -> List[tuple]:
        """[(user text as stored, [bot texts])] in order."""
        result: List[tuple] = []
        for kind, data in self._rows(sender):
            event = json.loads(data)
            if kind == "user":
                result.append((event.get("text"), []))
            elif result and event.get("text"):
                result[-1][1].append(event["text"])
        return result

    def user_count(self, sender: str) -> int:
        try:
            return len(self.turns(sender))
        except psycopg2.Error:
            return -1   # PostgreSQL itself is restarting: unknown

    def turns_after(self, sender: str, count: int) -> List[tuple]:
        if count < 0:
            return []
        for _ in range(30):
            try:
                return self.turns(sender)[count:]
            except psycopg2.Error:
                time.sleep(1)
        return []


def inbox_code(stack) -> Callable[[Customer], str]:
    """The newest SMS code sent to the customer's phone, read from the demo phone (as the visitor's
    demo phone panel does). Waits briefly: the text may arrive a moment after the bot asks."""
    def read(customer: Customer) -> str:
        deadline = time.monotonic() + 20
        while True:
            for message in _inbox(stack, customer):
                if message.get("phone") == customer.person.masked_phone and message.get("kind", "sms") == "sms":
                    found = re.search(r"\[(\d{6})\]", message.get("text", "")) or re.search(r"(\d{6})", message.get("text", ""))
                    if found:
                        CODES_SEEN.append(found.group(1))
                        return found.group(1)
            if time.monotonic() > deadline:
                raise AssertionError(f"no SMS code for {customer.person.masked_phone}")
            time.sleep(0.5)
    return read


def _inbox(stack, customer: Customer) -> List[Dict]:
    """The demo phone's texts caused by this conversation (docs/contracts.md, phone-side token); texts
    sent without a conversation reference are read off the phone's sealed storage as the backend would."""
    try:
        messages = stack.backend.phone_inbox(channel_ref(customer.sender))
    except (requests.RequestException, ValueError, KeyError):
        messages = []
    return messages or _unreferenced_texts(stack, customer.person.masked_phone)


def _unreferenced_texts(stack, masked_phone: str) -> List[Dict]:
    import hashlib
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    secret = (stack.backend.data_dir / "demo-phone.secret").read_text(encoding="ascii").strip()
    key = hashlib.sha256(b"demo-phone\x00" + secret.encode("utf-8")).digest()
    with psycopg2.connect(stack.extra["dsns"]["certbackend"], connect_timeout=5) as connection, \
            connection.cursor() as cursor:
        cursor.execute("SELECT kind, masked_phone, sealed_text FROM demo_phone_messages WHERE channel_ref IS NULL "
                       "AND masked_phone = %s ORDER BY id DESC LIMIT 5", (masked_phone,))
        rows = cursor.fetchall()
    connection.close()
    return [{"kind": kind, "phone": phone,
             "text": AESGCM(key).decrypt(bytes(sealed[:12]), bytes(sealed[12:]), b"").decode("utf-8")}
            for kind, phone, sealed in rows]

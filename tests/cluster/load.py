"""Run many customers at once and check what the cluster stored against what they saw."""
from __future__ import annotations

import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Dict, List, Optional

import psycopg2

from redaction.rules import MASK
from tests.cluster.customers import Customer, EventReader, Person, inbox_code


def make_customers(stack, persons: List[Person], tag: str) -> List[Customer]:
    events = EventReader(stack.extra["dsns"]["rasa"])
    return [Customer(p, f"{tag}-{i:03d}", stack.rasa_url, inbox_code(stack), events) for i, p in enumerate(persons)]


def run_all(customers: List[Customer], during: Optional[Callable[[], None]] = None,
            when_done: float = 0.3) -> Dict[str, object]:
    """Every customer renews concurrently; `during` runs in its own thread once `when_done` of the
    turns expected have been sent (a fault in the middle of the load). Returns figures."""
    failures: Dict[str, str] = {}
    expected_turns = 9 * len(customers)
    fault_thread = None

    def trigger():
        while sum(len(c.turns) for c in customers) < expected_turns * when_done:
            time.sleep(0.2)
        during()

    if during is not None:
        fault_thread = threading.Thread(target=trigger, daemon=True)
        fault_thread.start()
    started = time.monotonic()

    def one(customer: Customer) -> None:
        try:
            customer.renew()
        except Exception as error:  # noqa: BLE001 - collected and asserted by the test
            failures[customer.sender] = f"{type(error).__name__}: {error}"

    with ThreadPoolExecutor(max_workers=len(customers)) as pool:
        list(pool.map(one, customers))
    wall = time.monotonic() - started
    if fault_thread is not None:
        fault_thread.join(timeout=300)
    latencies = sorted(t.seconds for c in customers for t in c.turns)
    return {"customers": len(customers), "failures": failures, "wall_seconds": round(wall, 1),
            "turns": len(latencies),
            "turn_p50_ms": round(statistics.median(latencies) * 1000) if latencies else None,
            "turn_p95_ms": round(latencies[int(len(latencies) * 0.95) - 1] * 1000) if latencies else None,
            "turn_max_ms": round(latencies[-1] * 1000) if latencies else None,
            "outage_messages_seen": sum(c.outages_seen for c in customers),
            "transport_failures": sum(c.transport_failures for c in customers),
            "recovered_from_store": sum(t.recovered for c in customers for t in c.turns)}


def stored_matches_transcript(customer: Customer) -> Optional[str]:
    """None when PostgreSQL holds exactly the customer's turns, in order; else what differs."""
    stored = customer.events.turns(customer.sender)
    seen = customer.turns
    if len(stored) != len(seen):
        return f"{customer.sender}: {len(seen)} turns seen, {len(stored)} stored"
    secret_step_open = False  # the bot's last question asked for a PIN or a code
    for index, (turn, (user_text, bot_texts)) in enumerate(zip(seen, stored)):
        if turn.secret:
            if user_text != MASK:
                return f"{customer.sender} turn {index}: a secret stored as {user_text!r}"
        elif user_text != turn.sent and not (user_text == MASK and (
                any(ch.isdigit() for ch in turn.sent) or secret_step_open)):
            # (answers with digits, e.g. the birth date and phone number, are stored masked too; so is
            # anything typed while a PIN or code step is open — after an outage message at that step)
            return f"{customer.sender} turn {index}: sent {turn.sent!r}, stored {user_text!r}"
        asked = customer.asked(turn.replies)
        if asked is not None:
            secret_step_open = asked in ("pin", "code")
        if _paragraphs(bot_texts) != _paragraphs(turn.replies):
            return f"{customer.sender} turn {index}: {_first_difference(turn.replies, bot_texts)}"
    return None


def certificates_per_customer(stack, persons: List[Person]) -> Dict[str, List[tuple]]:
    """{name: [(serial, state, replaced_by)]} straight from the backend's PostgreSQL database."""
    names = [p.name for p in persons]
    with psycopg2.connect(stack.extra["dsns"]["certbackend"], connect_timeout=5) as connection, \
            connection.cursor() as cursor:
        cursor.execute("SELECT c.display_name, k.serial_hex, k.state, k.replaced_by_serial, k.certificate_pem "
                       "FROM certificates k JOIN customers c ON c.id = k.customer_id "
                       "WHERE c.display_name = ANY(%s) ORDER BY k.id", (names,))
        rows = cursor.fetchall()
    connection.close()
    result: Dict[str, List[tuple]] = {name: [] for name in names}
    for name, serial, state, replaced_by, pem in rows:
        result[name].append((serial, state, replaced_by, pem))
    return result


def audit_actions(stack, action: str) -> List[str]:
    with psycopg2.connect(stack.extra["dsns"]["certbackend"], connect_timeout=5) as connection, \
            connection.cursor() as cursor:
        cursor.execute("SELECT serial_hex FROM audit_events WHERE action = %s", (action,))
        rows = [r[0] for r in cursor.fetchall()]
    connection.close()
    return rows


def _first_difference(received: List[str], stored: List[str]) -> str:
    for i, (a, b) in enumerate(zip(received, stored)):
        if a != b:
            return f"message {i}: received {a[:80]!r}…, stored {b[:80]!r}…"
    return f"received {len(received)} messages, stored {len(stored)}: extra {(received + stored)[min(len(received), len(stored))][:80]!r}"


def _paragraphs(texts: List[str]) -> List[str]:
    """The REST channel splits a text at blank lines and strips it, except for texts with buttons; the
    store keeps the event's text. Compare the paragraphs, in order."""
    return [part.strip() for text in texts for part in text.split("\n\n") if part.strip()]

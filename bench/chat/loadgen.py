"""A bounded load generator for chat conversations over HTTP (loopback only).

Each simulated customer is a coroutine that plays one script turn by turn; a turn's text may
depend on the bot's last reply (the verification code from the demo phone, the step asked).
Every request has a timeout, the whole run has a time cap, and counts are fixed up front.
"""
from __future__ import annotations

import asyncio
import statistics
import time
from dataclasses import dataclass, field
from typing import Awaitable, Callable, Dict, List, Optional, Tuple
from urllib.parse import urlparse

import aiohttp

# Turn types reported separately (the three, plus small talk).
FAQ, SMALL_TALK, STEP, STEP_BACKEND = "faq", "small talk", "task step", "task step + backend"
# A backend call that runs scrypt on purpose (the renewal: the PIN opens the key, the new key is sealed):
# reported apart, with what scrypt costs, because its strength is not up for trading (docs/performance.md).
STEP_SCRYPT = "task step + backend (scrypt)"
TURN_TYPES = (FAQ, SMALL_TALK, STEP, STEP_BACKEND, STEP_SCRYPT)

REQUEST_TIMEOUT_S = 30.0
# Every simulated customer comes from 127.0.0.1, so the web front's per-address quotas (30 messages a
# minute) would throttle the load itself: each stack the bench starts lifts them (web front env).
WEB_QUOTAS_LIFTED = {"WEB_MESSAGES_PER_MINUTE": "100000", "WEB_MESSAGE_BURST": "1000",
                     "WEB_NEW_CONVERSATIONS_PER_HOUR": "100000"}


@dataclass
class Reply:
    messages: List[dict]

    @property
    def text(self) -> str:
        return "\n".join(m.get("text") or "" for m in self.messages)


@dataclass
class Turn:
    kind: str
    text: Optional[str] = None
    # Computes (turn type, text) from the previous reply when they depend on it (the step asked).
    # compose(reply, session): the answer to the step just asked (the session reads the demo phone).
    compose: Optional[Callable[[Reply, aiohttp.ClientSession], Awaitable[Tuple[str, str]]]] = None
    # Raises AssertionError when the reply is wrong (counted as an error, the script stops).
    check: Optional[Callable[[Reply], None]] = None


@dataclass
class Script:
    sender: str
    turns: List[Turn]


@dataclass
class Sample:
    kind: str
    seconds: float
    ok: bool


@dataclass
class RunResult:
    label: str
    samples: List[Sample] = field(default_factory=list)
    wall_seconds: float = 0.0
    errors: List[str] = field(default_factory=list)
    capped: bool = False

    @property
    def turns(self) -> int:
        return len(self.samples)

    @property
    def throughput(self) -> float:
        return self.turns / self.wall_seconds if self.wall_seconds else 0.0

    def stats(self, kind: Optional[str] = None) -> Dict[str, float]:
        chosen = sorted(s.seconds * 1000 for s in self.samples if kind is None or s.kind == kind)
        if not chosen:
            return {}
        return {"n": len(chosen), "p50": statistics.median(chosen), "p95": _percentile(chosen, 95),
                "p99": _percentile(chosen, 99), "errors": sum(1 for s in self.samples
                                                             if (kind is None or s.kind == kind) and not s.ok)}


def _percentile(sorted_values: List[float], pct: float) -> float:
    if len(sorted_values) == 1:
        return sorted_values[0]
    rank = (len(sorted_values) - 1) * pct / 100
    low = int(rank)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (rank - low)


def _require_loopback(url: str) -> None:
    host = urlparse(url).hostname or ""
    if not (host == "localhost" or host.startswith("127.") or host == "::1"):
        raise ValueError(f"load is only ever sent to loopback, not {host}")


async def _play(session: aiohttp.ClientSession, url: str, script: Script, result: RunResult,
                deadline: float) -> None:
    reply = Reply([])
    for turn in script.turns:
        if time.monotonic() > deadline:
            result.capped = True
            return
        kind, text = (turn.kind, turn.text) if turn.compose is None else await turn.compose(reply, session)
        started = time.perf_counter()
        ok = True
        try:
            async with session.post(url, json={"sender": script.sender, "message": text}) as answer:
                body = await answer.json(content_type=None) if answer.status == 200 else None
                if answer.status != 200 or not isinstance(body, list) or not body:
                    raise AssertionError(f"HTTP {answer.status}, empty or malformed reply")
                reply = Reply(body)
            if turn.check:
                turn.check(reply)
        except (AssertionError, aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
            ok = False
            result.errors.append(f"{script.sender} «{text[:20]}»: {type(error).__name__} {str(error)[:160]}")
        result.samples.append(Sample(kind, time.perf_counter() - started, ok))
        if not ok:
            return  # a broken conversation is not continued: its later turns would be noise


async def run_load(label: str, url: str, scripts: List[Script], concurrency: int,
                   time_cap_s: float) -> RunResult:
    """Play the scripts with at most `concurrency` customers at once; stop at the time cap."""
    _require_loopback(url)
    result = RunResult(label)
    deadline = time.monotonic() + time_cap_s
    gate = asyncio.Semaphore(concurrency)
    # A cookie jar per customer, as each browser has its own (the web front binds cookies).
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)

    async def customer(script: Script) -> None:
        async with gate:
            async with aiohttp.ClientSession(timeout=timeout, cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
                await _play(session, url, script, result, deadline)

    started = time.perf_counter()
    await asyncio.gather(*(customer(s) for s in scripts))
    result.wall_seconds = time.perf_counter() - started
    return result

"""Per-client quotas at the web front (token buckets keyed by the client's address).

A flood from one address gets 429 with a Korean message and Retry-After, long before it can
load Rasa, the action server or the backend. Memory is bounded: at most MAX_CLIENTS buckets,
and full (idle) buckets are forgotten first.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable, Dict, Tuple

MAX_CLIENTS = 10_000


@dataclass
class _Bucket:
    tokens: float
    updated: float


class Quota:
    def __init__(self, capacity: int, per_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        """``capacity`` requests at once, refilled at ``capacity`` per ``per_seconds``."""
        self.capacity = max(1, capacity)
        self.rate = self.capacity / per_seconds
        self._clock = clock
        self._buckets: Dict[str, _Bucket] = {}

    def take(self, client: str) -> Tuple[bool, int]:
        """(allowed, seconds until the next request would be allowed)."""
        now = self._clock()
        bucket = self._buckets.get(client)
        if bucket is None:
            if len(self._buckets) >= MAX_CLIENTS:
                self._forget_idle(now)
            bucket = self._buckets[client] = _Bucket(float(self.capacity), now)
        bucket.tokens = min(self.capacity, bucket.tokens + (now - bucket.updated) * self.rate)
        bucket.updated = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return True, 0
        return False, max(1, int((1 - bucket.tokens) / self.rate + 0.999))

    def _forget_idle(self, now: float) -> None:
        full = [k for k, b in self._buckets.items() if b.tokens + (now - b.updated) * self.rate >= self.capacity]
        for key in full or list(self._buckets)[: len(self._buckets) // 2]:
            del self._buckets[key]

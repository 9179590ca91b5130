"""One way to reach the cluster's Redis: short, bounded waits on every call."""
from __future__ import annotations

import os
from typing import Optional

import redis

SOCKET_TIMEOUT_SECONDS = 2.0


def redis_from_url(url: str) -> redis.Redis:
    # Bounded waits: a frozen or restarting Redis costs a customer at most a couple of seconds,
    # then the caller reports an outage (the customer sees the Korean outage message).
    return redis.Redis.from_url(url, socket_timeout=SOCKET_TIMEOUT_SECONDS,
                                socket_connect_timeout=SOCKET_TIMEOUT_SECONDS, health_check_interval=15)


def redis_from_env(variable: str) -> Optional[redis.Redis]:
    url = os.environ.get(variable, "").strip()
    return redis_from_url(url) if url else None

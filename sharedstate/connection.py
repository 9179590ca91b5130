"""One way to reach the cluster's Redis: short, bounded waits on every call."""
from __future__ import annotations

import os
from typing import Optional

import redis
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError, TimeoutError as RedisTimeoutError
from redis.retry import Retry

SOCKET_TIMEOUT_SECONDS = 2.0


def redis_from_url(url: str) -> redis.Redis:
    # Bounded waits: a frozen or restarting Redis costs a customer at most a couple of seconds,
    # then the caller reports an outage (the customer sees the Korean outage message).
    # A few quick retries ride out a Redis restart (well under a second when it stops cleanly).
    return redis.Redis.from_url(url, socket_timeout=SOCKET_TIMEOUT_SECONDS,
                                socket_connect_timeout=SOCKET_TIMEOUT_SECONDS, health_check_interval=15,
                                retry=Retry(ExponentialBackoff(cap=1.0, base=0.1), 4),
                                retry_on_error=[RedisConnectionError, RedisTimeoutError])


def redis_from_env(variable: str) -> Optional[redis.Redis]:
    url = os.environ.get(variable, "").strip()
    return redis_from_url(url) if url else None

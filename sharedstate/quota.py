"""Per-client token buckets in Redis, shared by every web front behind nginx (same interface as
webchat.quota.Quota: take(client) -> (allowed, seconds to wait)).

One Lua script per request refills and takes atomically, so two web fronts never both spend the
last token. The client key is hashed (no address is written to Redis) and expires once the bucket
would be full again. When Redis cannot be reached the request is allowed (and logged): a quota
outage must not become a chat outage.
"""
from __future__ import annotations

import hashlib
import logging
import math
from typing import Tuple

import redis

log = logging.getLogger("sharedstate.quota")

_TAKE = """
local tokens = tonumber(redis.call('HGET', KEYS[1], 't') or ARGV[1])
local updated = tonumber(redis.call('HGET', KEYS[1], 'u') or ARGV[3])
local capacity, rate, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
tokens = math.min(capacity, tokens + math.max(0, now - updated) * rate)
local allowed = 0
if tokens >= 1 then tokens = tokens - 1; allowed = 1 end
redis.call('HSET', KEYS[1], 't', tostring(tokens), 'u', tostring(now))
redis.call('EXPIRE', KEYS[1], math.ceil(capacity / rate) + 1)
return {allowed, tostring(tokens)}
"""


class RedisQuota:
    def __init__(self, client: redis.Redis, name: str, capacity: int, per_seconds: float) -> None:
        self.capacity = max(1, capacity)
        self.rate = self.capacity / per_seconds
        self._redis, self._name = client, name
        self._take = client.register_script(_TAKE)

    def _key(self, client: str) -> str:
        return f"quota:{self._name}:" + hashlib.sha256(client.encode("utf-8")).hexdigest()[:24]

    def take(self, client: str) -> Tuple[bool, int]:
        try:
            now = self._redis.time()
            allowed, tokens = self._take(keys=[self._key(client)],
                                         args=[self.capacity, self.rate, now[0] + now[1] / 1e6])
        except redis.RedisError as error:
            log.warning("quota store unreachable (%s): request allowed", type(error).__name__)
            return True, 0
        if int(allowed):
            return True, 0
        return False, max(1, math.ceil((1 - float(tokens)) / self.rate))

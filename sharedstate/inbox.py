"""The demo phone's inbox in Redis, so every backend process delivers to and reads the same phone.

A capped list (newest first) with an expiry: the pretend phone, never the bank's database.
"""
from __future__ import annotations

import json
from datetime import datetime
from typing import Dict, List

import redis

KEY = "demo:inbox"
EXPIRY_SECONDS = 24 * 3600


class RedisInbox:
    def __init__(self, client: redis.Redis, capacity: int = 50, key: str = KEY) -> None:
        self._redis, self._capacity, self._key = client, capacity, key

    def deliver(self, masked_phone: str, text: str, sent_at: datetime) -> None:
        entry = json.dumps({"phone": masked_phone, "text": text, "sent_at": sent_at.isoformat()},
                           ensure_ascii=False)
        with self._redis.pipeline(transaction=True) as pipe:
            pipe.lpush(self._key, entry).ltrim(self._key, 0, self._capacity - 1).expire(self._key, EXPIRY_SECONDS)
            pipe.execute()

    def recent(self) -> List[Dict[str, str]]:
        return [json.loads(raw) for raw in self._redis.lrange(self._key, 0, self._capacity - 1)]

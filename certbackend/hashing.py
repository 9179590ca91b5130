"""Keyed hashes: identity, birth-date forms and codes are stored only as HMAC-SHA256."""
from __future__ import annotations

import hashlib
import hmac
from datetime import date


class KeyedHasher:
    def __init__(self, secret: str) -> None:
        self._key = secret.encode("utf-8")

    def digest(self, *parts: str) -> str:
        message = "\x1f".join(parts).encode("utf-8")
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def identity(self, name: str, born: date, mobile: str) -> str:
        return self.digest("identity", name.casefold(), born.isoformat(), mobile)

    def matches(self, expected_hex: str, *parts: str) -> bool:
        return hmac.compare_digest(expected_hex, self.digest(*parts))


def token_hash(token: str) -> str:
    """Bearer tokens are high-entropy, so a plain SHA-256 is enough to store them."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()

"""The secret vault in Redis, for several action servers: a PIN put by one is read by another.

Entries are AES-256-GCM encrypted with a key from a file only the action servers read, so neither
Redis' memory, its append-only file nor a dump holds a PIN; each entry's key (the reference) is
bound into the ciphertext as associated data, so an entry cannot be moved to another reference.
The TTL is Redis' own expiry. Same interface as the in-memory vault (put/get/drop).
"""
from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path
from typing import Optional

import redis
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_PREFIX = "vault:"
NONCE_BYTES = 12


class VaultUnavailable(Exception):
    """Redis could not be reached: the caller reports an outage and keeps the customer's place."""


def load_key(path: Path) -> bytes:
    key = base64.urlsafe_b64decode(path.read_text(encoding="ascii").strip())
    if len(key) != 32:
        raise ValueError(f"{path} must hold 32 random bytes (urlsafe base64)")
    return key


def create_key_file(path: Path) -> Path:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii") + "\n")
    return path


class RedisSecretVault:
    def __init__(self, client: redis.Redis, key: bytes, ttl_seconds: int, prefix: str = "secret:") -> None:
        self._redis, self._aead, self._ttl, self._prefix = client, AESGCM(key), int(ttl_seconds), prefix

    def _seal(self, reference: str, value: str) -> bytes:
        nonce = secrets.token_bytes(NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, value.encode("utf-8"), reference.encode("utf-8"))

    def _open(self, reference: str, blob: bytes) -> Optional[str]:
        try:
            return self._aead.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], reference.encode("utf-8")).decode("utf-8")
        except Exception:  # noqa: BLE001 - a tampered or foreign entry is simply not there
            return None

    def put(self, value: str, reference: Optional[str] = None) -> str:
        reference = reference or self._prefix + secrets.token_hex(12)
        try:
            self._redis.set(KEY_PREFIX + reference, self._seal(reference, value), ex=self._ttl)
        except redis.RedisError as error:
            raise VaultUnavailable(type(error).__name__) from None
        return reference

    def get(self, reference: Optional[str]) -> Optional[str]:
        if not (isinstance(reference, str) and reference.startswith(self._prefix)):
            return None
        try:
            blob = self._redis.get(KEY_PREFIX + reference)
        except redis.RedisError as error:
            raise VaultUnavailable(type(error).__name__) from None
        return self._open(reference, blob) if blob else None

    def drop(self, *references: Optional[str]) -> None:
        keys = [KEY_PREFIX + r for r in references if isinstance(r, str) and r.startswith(self._prefix)]
        if keys:
            try:
                self._redis.delete(*keys)
            except redis.RedisError:
                pass  # the entry expires by itself

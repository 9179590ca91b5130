"""The secret vault in Redis, for several action servers: a PIN one stored, another can read.

Implements the vault's store interface (put/get/drop/retain, every call bound to a conversation).
Entries are AES-256-GCM encrypted with a key from a file only the action servers read, so neither
Redis' memory, its append-only file nor a dump holds a PIN. The conversation and the reference are
bound into each ciphertext as associated data: an entry copied under another reference or read for
another conversation does not decrypt. The TTL is Redis' own expiry; a per-conversation set of
references (expiring too) lets `retain` drop what no slot refers to any more.
"""
from __future__ import annotations

import base64
import hashlib
import os
import secrets
from pathlib import Path
from typing import Callable, Iterable, Optional

import redis
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_PREFIX = "vault:"
NONCE_BYTES = 12


class VaultUnavailable(Exception):
    """Redis could not be reached: callers report an outage and keep the customer's place."""


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


def _is_reference(value: object, prefix: str) -> bool:
    return isinstance(value, str) and value.startswith(prefix)


class RedisVaultStore:
    def __init__(self, client: redis.Redis, key: bytes, ttl_seconds: float, prefix: str = "secret:",
                 unavailable: Callable[[str], Exception] = VaultUnavailable) -> None:
        self._redis, self._aead, self._ttl, self._prefix = client, AESGCM(key), max(1, int(ttl_seconds)), prefix
        self._unavailable = unavailable   # the exception callers already treat as an outage

    @staticmethod
    def _entry_key(reference: str) -> str:
        return KEY_PREFIX + reference

    @staticmethod
    def _index_key(sender: str) -> str:
        # The conversation id itself is not written to Redis, only a digest of it.
        return KEY_PREFIX + "refs:" + hashlib.sha256(sender.encode("utf-8")).hexdigest()[:32]

    @staticmethod
    def _aad(sender: str, reference: str) -> bytes:
        return sender.encode("utf-8") + b"\0" + reference.encode("utf-8")

    def put(self, sender: str, value: str) -> str:
        reference = self._prefix + secrets.token_hex(16)
        nonce = secrets.token_bytes(NONCE_BYTES)
        blob = nonce + self._aead.encrypt(nonce, value.encode("utf-8"), self._aad(sender, reference))
        try:
            with self._redis.pipeline(transaction=True) as pipe:
                pipe.set(self._entry_key(reference), blob, ex=self._ttl)
                pipe.sadd(self._index_key(sender), reference).expire(self._index_key(sender), self._ttl)
                pipe.execute()
        except redis.RedisError as error:
            raise self._unavailable(type(error).__name__) from None
        return reference

    def get(self, sender: str, reference: Optional[str]) -> Optional[str]:
        if not _is_reference(reference, self._prefix):
            return None
        try:
            blob = self._redis.get(self._entry_key(reference))
        except redis.RedisError as error:
            raise self._unavailable(type(error).__name__) from None
        if not blob or len(blob) <= NONCE_BYTES:
            return None
        try:
            return self._aead.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], self._aad(sender, reference)).decode("utf-8")
        except InvalidTag:
            return None   # another conversation's entry, or tampered: not there for this one

    def drop(self, sender: str, *references: Optional[str]) -> None:
        mine = [r for r in references if _is_reference(r, self._prefix) and self.get(sender, r) is not None]
        if not mine:
            return
        try:
            with self._redis.pipeline(transaction=True) as pipe:
                pipe.delete(*(self._entry_key(r) for r in mine)).srem(self._index_key(sender), *mine)
                pipe.execute()
        except redis.RedisError:
            pass   # the entries expire by themselves

    def retain(self, sender: str, references: Iterable[str]) -> None:
        keep = set(references)
        try:
            held = {r.decode("utf-8") for r in self._redis.smembers(self._index_key(sender))}
            self.drop(sender, *(held - keep))
        except redis.RedisError:
            pass

    def values_of(self, sender: str):
        """What the vault holds for one conversation (tests and diagnostics; never logged)."""
        held = {r.decode("utf-8") for r in self._redis.smembers(self._index_key(sender))}
        return [v for v in (self.get(sender, r) for r in held) if v is not None]

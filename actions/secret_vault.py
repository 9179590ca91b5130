"""PINs between form steps, kept in the action server's memory instead of a slot.

A slot only ever holds an opaque reference (``secret:<id>``), so the tracker store never sees
a PIN even though the renewal needs it again at the confirmation step. References expire with
the verification token's lifetime and are dropped as soon as the flow ends.
"""
from __future__ import annotations

import secrets
import threading
import time
from typing import Dict, Optional, Tuple

PREFIX = "secret:"
TTL_SECONDS = 15 * 60


class SecretVault:
    def __init__(self, ttl_seconds: float = TTL_SECONDS) -> None:
        self._ttl = ttl_seconds
        self._items: Dict[str, Tuple[float, str]] = {}
        self._lock = threading.Lock()

    def put(self, value: str) -> str:
        reference = PREFIX + secrets.token_hex(12)
        with self._lock:
            self._purge()
            self._items[reference] = (time.monotonic() + self._ttl, value)
        return reference

    def get(self, reference: Optional[str]) -> Optional[str]:
        if not is_reference(reference):
            return None
        with self._lock:
            self._purge()
            item = self._items.get(reference)
        return item[1] if item else None

    def drop(self, *references: Optional[str]) -> None:
        with self._lock:
            for reference in references:
                self._items.pop(reference, None)

    def _purge(self) -> None:
        now = time.monotonic()
        for key in [k for k, (expires, _) in self._items.items() if expires <= now]:
            del self._items[key]


def is_reference(value: object) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def make_vault():
    """In memory for one action server; in Redis (encrypted, with expiry) when several share the work
    (the cluster sets VAULT_REDIS_URL and VAULT_KEY_FILE)."""
    import os
    if not os.environ.get("VAULT_REDIS_URL"):
        return SecretVault()
    from pathlib import Path
    from sharedstate.connection import redis_from_url
    from sharedstate.vault import RedisVaultStore, load_key
    store = RedisVaultStore(redis_from_url(os.environ["VAULT_REDIS_URL"]),
                            load_key(Path(os.environ["VAULT_KEY_FILE"])), TTL_SECONDS, prefix=PREFIX)

    class SharedVault:  # this module's interface over the shared store
        put = staticmethod(lambda value: store.put("", value))
        get = staticmethod(lambda reference: store.get("", reference))
        drop = staticmethod(lambda *references: store.drop("", *references))

    return SharedVault()


VAULT = make_vault()

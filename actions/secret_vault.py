"""Secrets between form steps (PINs, codes, verification tokens), kept out of slots.

A slot only ever holds an opaque reference (``secret:<id>``), so the tracker store never sees a
PIN or a live token even though later steps need them. Each entry is bound to the conversation
that stored it: a reference read from a database dump, or typed into another conversation,
resolves to nothing. Entries expire (purged by a timer, not only on use) and are dropped as soon
as no slot of their conversation refers to them any more (see ``retain``).

The store sits behind the small ``VaultStore`` interface (put/get/drop/retain, all bound to a
sender) so a shared implementation (e.g. Redis, entries encrypted, TTL) can replace the
in-memory default when the action server runs as several processes. Action code uses the module
facade ``VAULT``, which binds every call to the conversation being served (``bound_to``).
"""
from __future__ import annotations

import contextlib
import contextvars
import secrets
import threading
import time
from typing import Dict, Iterable, Iterator, List, Optional, Protocol, Tuple

PREFIX = "secret:"
TTL_SECONDS = 15 * 60  # at least the verification token's lifetime (certpolicy: 10 minutes)
PURGE_EVERY_SECONDS = 30.0


class VaultStore(Protocol):
    def put(self, sender: str, value: str) -> str: ...
    def get(self, sender: str, reference: Optional[str]) -> Optional[str]: ...
    def drop(self, sender: str, *references: Optional[str]) -> None: ...
    def retain(self, sender: str, references: Iterable[str]) -> None: ...


class MemoryVault:
    """One process's vault; a daemon timer purges expired entries even in an idle conversation."""

    def __init__(self, ttl_seconds: float = TTL_SECONDS, purge_every: Optional[float] = PURGE_EVERY_SECONDS,
                 clock=time.monotonic) -> None:
        self._ttl = ttl_seconds
        self._clock = clock
        self._items: Dict[str, Tuple[str, float, str]] = {}  # reference -> (sender, expires, value)
        self._lock = threading.Lock()
        if purge_every:
            self._start_purger(purge_every)

    def put(self, sender: str, value: str) -> str:
        reference = PREFIX + secrets.token_hex(16)
        with self._lock:
            self._items[reference] = (sender, self._clock() + self._ttl, value)
        return reference

    def get(self, sender: str, reference: Optional[str]) -> Optional[str]:
        if not is_reference(reference):
            return None
        with self._lock:
            item = self._items.get(reference)
        if item is None or item[0] != sender or item[1] <= self._clock():
            return None
        return item[2]

    def drop(self, sender: str, *references: Optional[str]) -> None:
        with self._lock:
            for reference in references:
                item = self._items.get(reference) if isinstance(reference, str) else None
                if item is not None and item[0] == sender:
                    del self._items[reference]

    def retain(self, sender: str, references: Iterable[str]) -> None:
        """Drop every entry of ``sender`` that is not in ``references`` (the slots still using them)."""
        keep = set(references)
        with self._lock:
            for reference in [r for r, item in self._items.items() if item[0] == sender and r not in keep]:
                del self._items[reference]

    def values_of(self, sender: str) -> List[str]:
        """What the vault holds for one conversation (for tests and diagnostics; never logged)."""
        with self._lock:
            return [item[2] for item in self._items.values() if item[0] == sender]

    def purge(self) -> None:
        now = self._clock()
        with self._lock:
            for reference in [r for r, item in self._items.items() if item[1] <= now]:
                del self._items[reference]

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def _start_purger(self, every: float) -> None:
        def loop() -> None:
            while True:
                time.sleep(every)
                self.purge()

        threading.Thread(target=loop, name="vault-purge", daemon=True).start()


def is_reference(value: object) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


_SENDER: contextvars.ContextVar[str] = contextvars.ContextVar("vault_sender", default="")


@contextlib.contextmanager
def bound_to(sender: str) -> Iterator[None]:
    """Serve one conversation: every facade call inside is bound to ``sender``."""
    token = _SENDER.set(sender)
    try:
        yield
    finally:
        _SENDER.reset(token)


def bind(sender: str) -> None:
    """Bind the rest of the current task (one action-server request) to ``sender``."""
    _SENDER.set(sender)


class BoundVault:
    """The facade the actions use: the conversation comes from the current binding."""

    def __init__(self, store: VaultStore) -> None:
        self.store = store

    @property
    def sender(self) -> str:
        return _SENDER.get()

    def put(self, value: str) -> str:
        return self.store.put(self.sender, value)

    def get(self, reference: Optional[str]) -> Optional[str]:
        return self.store.get(self.sender, reference)

    def drop(self, *references: Optional[str]) -> None:
        self.store.drop(self.sender, *references)

    def retain(self, references: Iterable[str]) -> None:
        self.store.retain(self.sender, references)

    def seal(self, value: Optional[str]) -> Optional[str]:
        """A value as a reference (kept as is when it already is one, or empty)."""
        if value is None or value == "" or is_reference(value):
            return value
        return self.put(str(value))

    def reveal(self, value: Optional[str]) -> Optional[str]:
        """The clear value behind a reference; a plain value passes unchanged."""
        return self.get(value) if is_reference(value) else value


VAULT = BoundVault(MemoryVault())

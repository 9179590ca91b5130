"""A tracker store that masks secrets before any other store sees them.

Configured in endpoints.yml (`type: redaction.tracker_store.RedactingTrackerStore`); it wraps
the real store given under `store:` (in memory by default; SQL or Redis when configured), so
whatever Rasa persists was redacted first. The action server still receives the clear value
for the one turn that needs it; the stored conversation never holds it.
"""
from __future__ import annotations

import asyncio
import copy
import logging
import time
from collections import deque
from typing import Any, Awaitable, Callable, Dict, Iterable, Optional, Text, TypeVar

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import InMemoryTrackerStore, TrackerStore, create_tracker_store
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from rasa.utils.endpoints import EndpointConfig

from conversation_store.stored_mark import mark_stored, stored_count
from redaction.rules import RedactionContext, redact_events

log = logging.getLogger(__name__)

T = TypeVar("T")
# How long a turn waits for the conversation store to come back (a PostgreSQL restart takes ~3 s).
# Past this, the error goes to Rasa, whose fail-safe wrapper would otherwise silently start an empty
# conversation (retrieve) or keep the turn in one process's memory (save).
STORE_RETRY_SECONDS = 15.0


def _is_connection_error(error: Exception) -> bool:
    """Errors of an unreachable or restarting database (worth waiting out), not of bad data."""
    try:
        from sqlalchemy.exc import DBAPIError, OperationalError
    except ImportError:  # pragma: no cover - SQLAlchemy is in Rasa's tree
        return False
    return isinstance(error, OperationalError) or (isinstance(error, DBAPIError) and error.connection_invalidated)


async def with_retry(operation: Callable[[], Awaitable[T]], what: str) -> T:
    deadline, pause = time.monotonic() + STORE_RETRY_SECONDS, 0.25
    while True:
        try:
            return await operation()
        except Exception as error:  # noqa: BLE001 - only connection errors are retried
            if not _is_connection_error(error) or time.monotonic() + pause > deadline:
                raise
            log.warning("conversation store unavailable during %s (%s); retrying", what, type(error).__name__)
            await asyncio.sleep(pause)
            pause = min(pause * 2, 2.0)


class RedactingTrackerStore(TrackerStore):
    def __init__(self, domain: Domain, host: Optional[Text] = None,
                 event_broker: Optional[EventBroker] = None, store: Optional[Dict[str, Any]] = None,
                 **kwargs: Any) -> None:
        self.inner: Optional[TrackerStore] = None
        super().__init__(domain, event_broker, **kwargs)
        if store:
            self.inner = create_tracker_store(EndpointConfig.from_dict(dict(store)), domain, event_broker)
        else:
            self.inner = InMemoryTrackerStore(domain, event_broker)

    # Rasa sets the model's domain on the store after loading the model; the wrapped store
    # needs it too, or it would rebuild trackers without the domain's slots.
    @property
    def domain(self) -> Domain:
        return self.inner.domain if self.inner is not None else self._domain

    @domain.setter
    def domain(self, domain: Optional[Domain]) -> None:
        self._domain = domain or Domain.empty()
        if self.inner is not None:
            self.inner.domain = self._domain

    def redacted(self, tracker: DialogueStateTracker) -> DialogueStateTracker:
        """The tracker as it may be stored.

        A tracker this store handed out holds the conversation's stored events (redacted when they
        were saved) followed by the turn's new ones: only the new ones are redacted, and the tracker
        itself is stored when none of them holds a secret. Re-serialising and replaying the whole
        conversation on every save cost 17 % of Rasa's CPU and grew with the conversation
        (docs/performance.md). Any other tracker is redacted whole.
        """
        stored = stored_count(tracker)
        events = list(tracker.events)
        if stored is None:
            whole = redact_events(tracker.current_state(EventVerbosity.ALL)["events"])
            return DialogueStateTracker.from_dict(tracker.sender_id, whole, self.domain.slots)
        context = RedactionContext()
        for event in events[:stored]:
            if event.type_name in RedactionContext.EVENT_KINDS:
                context.observe(event.as_dict())
        new = [event.as_dict() for event in events[stored:]]
        masked = redact_events(new, context)
        if masked == new:
            return tracker
        view = copy.copy(tracker)  # shares slots and the rest; only the events differ
        view.events = deque(events[:stored] + [
            event if clear == safe else Event.from_parameters(safe)
            for event, clear, safe in zip(events[stored:], new, masked)])
        return view

    async def save(self, tracker: DialogueStateTracker) -> None:
        redacted = self.redacted(tracker)
        await with_retry(lambda: self.inner.save(redacted), "save")
        # The same object may be saved again in one turn (Rasa saves after the HTTP API appends
        # events): its events are all stored now.
        mark_stored(tracker)

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        tracker = await with_retry(lambda: self.inner.retrieve(sender_id), "retrieve")
        if tracker is not None:
            mark_stored(tracker)
        return tracker

    async def retrieve_full_tracker(self, conversation_id: Text) -> Optional[DialogueStateTracker]:
        return await with_retry(lambda: self.inner.retrieve_full_tracker(conversation_id), "retrieve")

    async def keys(self) -> Iterable[Text]:
        return await self.inner.keys()

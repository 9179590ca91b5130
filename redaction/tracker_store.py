"""A tracker store that masks secrets before any other store sees them.

Configured in endpoints.yml (`type: redaction.tracker_store.RedactingTrackerStore`); it wraps
the real store given under `store:` (in memory by default; SQL or Redis when configured), so
whatever Rasa persists was redacted first. The action server still receives the clear value
for the one turn that needs it; the stored conversation never holds it.
"""
from __future__ import annotations

from typing import Any, Dict, Iterable, Optional, Text

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import InMemoryTrackerStore, TrackerStore, create_tracker_store
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from rasa.utils.endpoints import EndpointConfig

from redaction.rules import redact_events


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
        events = redact_events(tracker.current_state(EventVerbosity.ALL)["events"])
        return DialogueStateTracker.from_dict(tracker.sender_id, events, self.domain.slots)

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self.inner.save(self.redacted(tracker))

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        return await self.inner.retrieve(sender_id)

    async def retrieve_full_tracker(self, conversation_id: Text) -> Optional[DialogueStateTracker]:
        return await self.inner.retrieve_full_tracker(conversation_id)

    async def keys(self) -> Iterable[Text]:
        return await self.inner.keys()

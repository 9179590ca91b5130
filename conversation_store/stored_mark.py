"""A tracker handed out by the conversation store carries how many of its events are stored.

Rasa retrieves a conversation, appends the turn's events to that same object and saves it. With
the mark, a save knows which events are new without asking the database (Rasa's SQL store counts
the stored events with a query on every save) and the redacting store masks only those. A tracker
without the mark (built elsewhere, or holding all sessions) is treated the slow, safe way.
"""
from __future__ import annotations

from typing import Any, Optional

ATTRIBUTE = "_stored_event_count"


def mark_stored(tracker: Any) -> None:
    """All of ``tracker``'s events are stored now (as of this call)."""
    setattr(tracker, ATTRIBUTE, len(tracker.events))


def stored_count(tracker: Any) -> Optional[int]:
    """How many of ``tracker``'s first events are stored, or None when unknown."""
    count = getattr(tracker, ATTRIBUTE, None)
    return count if isinstance(count, int) and 0 <= count <= len(tracker.events) else None

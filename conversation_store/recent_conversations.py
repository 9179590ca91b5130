"""The latest session of recently active conversations, kept as the database would return it.

Every turn Rasa retrieves the conversation, and the SQL store read every event of the latest session
and replayed them into a tracker: 11–16 % of Rasa's CPU per turn, growing with the conversation
(docs/performance.md, session 10). Here the store keeps, per conversation, the tracker its last read
or write left in the database, with the id of the newest row it holds:

- a retrieve first asks the database for the conversation's newest row id (one indexed query); only
  when it is the cached one is the cached tracker handed out (a copy: Rasa appends to what it gets);
  otherwise — another Rasa instance wrote, a row was added by anyone else — it reads as before;
- a save extends the cached tracker with the rows it inserted, *as read back from their JSON* (the
  redacted events, exactly what a read would rebuild), and only when the database confirms that no
  other row came in between (the count of rows after the cached id equals the rows inserted);
- a new session, an event older than the session's start, a save by Rasa's own code (an unmarked
  tracker) or anything unexpected drops the conversation from the cache: the next turn reads it.

What it holds is what the table holds (events after redaction; vault references, never a PIN, code or
token), bounded to ``capacity`` conversations (least recently used first out).
"""
from __future__ import annotations

import json
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Dict, List, Optional

from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker

from rasa_runtime.tracker_copy import replay_free_copy


@dataclass
class Entry:
    newest_id: int
    tracker: DialogueStateTracker
    session_start: Optional[float]  # the latest session_started's timestamp: older rows are not read


def _session_start(tracker: DialogueStateTracker) -> Optional[float]:
    starts = [event.timestamp for event in tracker.events if isinstance(event, SessionStarted)]
    return max(starts) if starts else None


class RecentConversations:
    def __init__(self, capacity: int = 256) -> None:
        self.capacity = capacity
        self._entries: "OrderedDict[str, Entry]" = OrderedDict()

    def newest_id(self, sender_id: str) -> Optional[int]:
        entry = self._entries.get(sender_id)
        return entry.newest_id if entry else None

    def hand_out(self, sender_id: str, newest_id: Optional[int]) -> Optional[DialogueStateTracker]:
        """A copy of the cached tracker when the database's newest row is still the cached one."""
        entry = self._entries.get(sender_id)
        if entry is None or newest_id != entry.newest_id:
            self.forget(sender_id)
            return None
        self._entries.move_to_end(sender_id)
        return replay_free_copy(entry.tracker)

    def keep(self, sender_id: str, newest_id: int, tracker: DialogueStateTracker) -> None:
        """Remember a tracker just read from the database (a copy of it)."""
        kept = replay_free_copy(tracker)
        self._entries[sender_id] = Entry(newest_id, kept, _session_start(kept))
        self._entries.move_to_end(sender_id)
        while len(self._entries) > self.capacity:
            self._entries.popitem(last=False)

    def extend(self, sender_id: str, rows: List[Dict[str, Any]], newest_id: Optional[int],
               added_since_cached: Optional[int]) -> None:
        """After inserting ``rows``: the database now has ``added_since_cached`` rows after the cached id."""
        entry = self._entries.get(sender_id)
        if entry is None:
            return
        if added_since_cached != len(rows):  # (rows were added, so the newest id is not None)
            self.forget(sender_id)  # someone else wrote too: read it next time
            return
        events = []
        for row in rows:
            event = Event.from_parameters(json.loads(row["data"]))
            timestamp = row.get("timestamp")
            if (event is None or isinstance(event, SessionStarted) or not isinstance(timestamp, (int, float))
                    or (entry.session_start is not None and timestamp < entry.session_start)):
                self.forget(sender_id)  # a read would select a different set of rows: let it
                return
            events.append(event)
        for event in events:
            entry.tracker.update(event)
        entry.newest_id = newest_id

    def forget(self, sender_id: str) -> None:
        self._entries.pop(sender_id, None)

    def __len__(self) -> int:
        return len(self._entries)

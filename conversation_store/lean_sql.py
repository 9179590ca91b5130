"""Rasa's SQLTrackerStore with a lean hot path: same tables, same rows, same session rule.

Profiled under 20 concurrent customers, Rasa spent about half of its CPU in its SQL store: every
retrieve built an ORM object per stored event, every save first counted the conversation's stored
events with a query and then added each new event through the ORM's unit of work
(docs/performance.md). Here:

- retrieve selects only the ``data`` column of the latest session's events (Rasa's own rule: the
  events since the newest ``session_started``) as plain rows;
- save inserts the turn's new events in one statement, knowing which are new from the mark the
  retrieve left on the tracker (``stored_mark``); an unmarked tracker is saved by Rasa's code;
- the latest session of recently active conversations is kept as read (``recent_conversations``):
  a retrieve whose newest row id is still the cached one costs one indexed query, not a read and a
  replay of every event.

Rows are written exactly as Rasa writes them, so Rasa's own store, the agent desk and any SQL tool
read them unchanged. SQLite files get write-ahead logging (``sqlite_pragmas``).
"""
from __future__ import annotations

import json
from typing import Any, Dict, Optional, Text

import sqlalchemy as sa
import sqlalchemy.orm  # noqa: F401 - sa.orm.session below
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from conversation_store.recent_conversations import RecentConversations
from conversation_store.sqlite_pragmas import tune_sqlite_engine
from conversation_store.stored_mark import mark_stored, stored_count


class LeanSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.engine.dialect.name == "sqlite":
            # SQLAlchemy gives a file database no pool (a new connection, and its PRAGMAs, for
            # every read and write: ~10 % of a turn). Rasa uses the store from its event loop's
            # thread only; two pooled connections are plenty, and SQLite serialises writers anyway.
            url = self.engine.url
            self.engine.dispose()
            self.engine = sa.create_engine(url, poolclass=sa.pool.QueuePool, pool_size=2, max_overflow=2,
                                           connect_args={"check_same_thread": False})
            tune_sqlite_engine(self.engine)
            self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        self._queries = _event_data_queries(self.SQLEvent.__table__)
        self._newest = _newest_row_queries(self.SQLEvent.__table__)
        self.recent = RecentConversations()

    async def _retrieve(self, sender_id: Text,
                        fetch_events_from_all_sessions: bool) -> Optional[DialogueStateTracker]:
        # A statement built once, run on a plain connection: no ORM session, no statement
        # construction per turn. One json.loads over the joined rows instead of one per event (half
        # the decoding time of a 20-turn conversation; rows are Rasa's own JSON objects).
        latest_session = not fetch_events_from_all_sessions
        with self.engine.connect() as connection:
            if latest_session and self.recent.newest_id(sender_id) is not None:
                newest = connection.execute(self._newest["newest"], {"sender_id": sender_id}).scalar()
                cached = self.recent.hand_out(sender_id, newest)
                if cached is not None:
                    mark_stored(cached)
                    return cached
            rows = connection.execute(self._queries[fetch_events_from_all_sessions],
                                      {"sender_id": sender_id}).all()
        if not self.domain or not rows:
            return None
        tracker = DialogueStateTracker.from_dict(sender_id, json.loads("[" + ",".join(row.data for row in rows) + "]"),
                                                 self.domain.slots)
        if latest_session:
            # The latest session is exactly what Rasa's save counts as stored; a tracker of all
            # sessions is left unmarked, so saving it falls back to Rasa's counting save.
            mark_stored(tracker)
            self.recent.keep(sender_id, rows[-1].id, tracker)
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        stored = stored_count(tracker)
        if stored is None:
            self.recent.forget(tracker.sender_id)
            await super().save(tracker)
            return
        await self.stream_events(tracker)
        new_events = list(tracker.events)[stored:]
        if new_events:
            rows = [_row(tracker.sender_id, event) for event in new_events]
            cached_id = self.recent.newest_id(tracker.sender_id)
            with self.session_scope() as session:
                session.execute(self.SQLEvent.__table__.insert(), rows)
                if cached_id is not None:  # did anyone else write since the cached row?
                    newest, added = session.execute(self._newest["after"], {
                        "sender_id": tracker.sender_id, "after": cached_id}).one()
                session.commit()
            if cached_id is not None:
                try:
                    self.recent.extend(tracker.sender_id, rows, newest, added)
                except Exception:  # noqa: BLE001 - the rows are stored; the next turn just reads them
                    self.recent.forget(tracker.sender_id)
        mark_stored(tracker)


def _event_data_queries(events_table: sa.Table) -> Dict[bool, Any]:
    """The ``id`` and ``data`` of a conversation's events in order: {all sessions?: statement}. The latest
    session is Rasa's rule: the events since the newest ``session_started`` (all of them if none)."""
    sender = sa.bindparam("sender_id")
    everything = (sa.select(events_table.c.id, events_table.c.data).where(events_table.c.sender_id == sender)
                  .order_by(events_table.c.id))
    session_start = (sa.select(sa.func.max(events_table.c.timestamp))
                     .where(events_table.c.sender_id == sender,
                            events_table.c.type_name == SessionStarted.type_name)
                     .scalar_subquery())
    latest = everything.where(sa.or_(events_table.c.timestamp >= session_start, session_start.is_(None)))
    return {True: everything, False: latest}


def _newest_row_queries(events_table: sa.Table) -> Dict[str, Any]:
    """``newest``: a conversation's newest row id; ``after``: that id and how many rows follow ``after``."""
    sender, ids = sa.bindparam("sender_id"), events_table.c.id
    return {"newest": sa.select(sa.func.max(ids)).where(events_table.c.sender_id == sender),
            "after": sa.select(sa.func.max(ids), sa.func.count(ids)).where(
                events_table.c.sender_id == sender, ids > sa.bindparam("after"))}


def _row(sender_id: Text, event: Event) -> Dict[str, Any]:
    """The row Rasa's SQLTrackerStore.save writes for an event."""
    data = event.as_dict()
    return {"sender_id": sender_id, "type_name": event.type_name, "timestamp": data.get("timestamp"),
            "intent_name": (data.get("parse_data") or {}).get("intent", {}).get(INTENT_NAME_KEY),
            "action_name": data.get("name"), "data": json.dumps(data)}

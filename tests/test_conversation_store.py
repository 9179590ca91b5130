"""The lean SQL conversation store writes and reads exactly what Rasa's SQLTrackerStore does."""
import asyncio
import json
import sqlite3

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (ActionExecuted, ActiveLoop, BotUttered, DefinePrevUserUtteredFeaturization,
                                     SessionStarted, SlotSet, UserUttered)
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

from conversation_store.lean_sql import LeanSQLTrackerStore
from conversation_store.stored_mark import stored_count
from redaction.tracker_store import RedactingTrackerStore

DOMAIN = Domain.load("domain.yml")


def turn(n, session_start=False):
    """One turn's events with fixed timestamps, so two stores can be compared row by row."""
    t = 1_700_000_000.0 + 10 * n
    events = [SessionStarted(timestamp=t), ActionExecuted("action_listen", timestamp=t + 0.1)] if session_start else []
    return events + [
        UserUttered(f"질문 {n}", {"name": "faq", "confidence": 0.9}, timestamp=t + 1),
        SlotSet("task", None, timestamp=t + 2),
        ActionExecuted("utter_faq", timestamp=t + 3),
        BotUttered(f"답변 {n}", timestamp=t + 4),
        ActionExecuted("action_listen", timestamp=t + 5),
    ]


def play(store, sender="c1", turns=((0, True), (1, False), (2, False), (3, True), (4, False))):
    async def go():
        for n, new_session in turns:
            tracker = await store.retrieve(sender) or store.init_tracker(sender)
            for event in turn(n, new_session):
                tracker.update(event)
            await store.save(tracker)
    asyncio.run(go())


def rows(db):
    with sqlite3.connect(db) as connection:
        return connection.execute(
            "SELECT id, sender_id, type_name, timestamp, intent_name, action_name, data FROM events ORDER BY id").fetchall()


def sql_store(cls, db):
    return cls(DOMAIN, dialect="sqlite", db=str(db))


def test_the_same_turns_give_the_same_rows(tmp_path):
    play(sql_store(LeanSQLTrackerStore, tmp_path / "lean.db"))
    play(sql_store(SQLTrackerStore, tmp_path / "rasa.db"))
    assert rows(tmp_path / "lean.db") == rows(tmp_path / "rasa.db")
    assert len(rows(tmp_path / "lean.db")) == 5 * 5 + 2 * 2


@pytest.mark.parametrize("full", [False, True], ids=["latest-session", "all-sessions"])
def test_retrieve_returns_what_rasa_returns(tmp_path, full):
    db = tmp_path / "c.db"
    play(sql_store(SQLTrackerStore, db))
    lean, rasa = sql_store(LeanSQLTrackerStore, db), sql_store(SQLTrackerStore, db)
    fetch = (lambda s: s.retrieve_full_tracker("c1")) if full else (lambda s: s.retrieve("c1"))
    ours, theirs = asyncio.run(fetch(lean)), asyncio.run(fetch(rasa))
    assert [e.as_dict() for e in ours.events] == [e.as_dict() for e in theirs.events]
    assert len(ours.events) == (29 if full else 12)  # the latest session: turns 3 and 4
    # Only a latest-session tracker knows which of its events are stored (see stored_mark).
    assert stored_count(ours) == (None if full else 12)


def test_a_tracker_without_the_mark_is_not_stored_twice(tmp_path):
    db = tmp_path / "c.db"
    store = sql_store(LeanSQLTrackerStore, db)
    play(store, turns=((0, True),))
    tracker = asyncio.run(store.retrieve_full_tracker("c1"))  # unmarked (as the HTTP API's may be)
    for event in turn(1):
        tracker.update(event)
    asyncio.run(store.save(tracker))
    asyncio.run(store.save(tracker))
    assert len(rows(db)) == 7 + 5


def test_saving_the_same_tracker_again_adds_only_later_events(tmp_path):
    db = tmp_path / "c.db"
    store = sql_store(LeanSQLTrackerStore, db)
    play(store, turns=((0, True),))
    tracker = asyncio.run(store.retrieve("c1"))
    for event in turn(1):
        tracker.update(event)
    asyncio.run(store.save(tracker))
    tracker.update(BotUttered("하나 더", timestamp=1_800_000_000.0))
    asyncio.run(store.save(tracker))
    assert [r[2] for r in rows(db)][-2:] == ["action", "bot"] and len(rows(db)) == 7 + 5 + 1


def test_sqlite_runs_in_write_ahead_logging(tmp_path):
    db = tmp_path / "c.db"
    play(sql_store(LeanSQLTrackerStore, db), turns=((0, True),))
    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_sqlite_connections_are_reused(tmp_path):
    store = sql_store(LeanSQLTrackerStore, tmp_path / "c.db")
    play(store, turns=((0, True), (1, False), (2, False)))
    assert store.engine.pool.checkedout() == 0 and store.engine.pool.size() == 2
    opened = store.engine.pool._pool.qsize()  # connections kept for the next turn
    assert 1 <= opened <= 2


# --- recent conversations (conversation_store/recent_conversations.py) ------------------------------

def rich_turn(n, session_start=False):
    """A turn touching what a replay sets: a loop, a list slot, the featurization flag, a pause."""
    t = 1_700_000_000.0 + 10 * n
    events = turn(n, session_start)
    return events + [
        ActiveLoop("task_form", timestamp=t + 6), SlotSet("connected_devices", [{"id": n, "name": f"폰 {n}"}], timestamp=t + 6.1),
        UserUttered(f"네 {n}", {"name": "affirm", "confidence": 0.8}, timestamp=t + 7),
        DefinePrevUserUtteredFeaturization(False, timestamp=t + 7.1), ActionExecuted("task_form", timestamp=t + 7.2),
        ActiveLoop(None, timestamp=t + 8), ActionExecuted("action_listen", timestamp=t + 9),
    ]


def state(tracker):
    """Everything a turn reads from a tracker: its events, slots, loop, latest message and action."""
    return (tracker.current_state(EventVerbosity.ALL), {name: slot.value for name, slot in tracker.slots.items()},
            [e.as_dict() for e in tracker.events], tracker.latest_message.as_dict() if tracker.latest_message else None)


def fresh_read(db, sender="c1"):
    return asyncio.run(sql_store(SQLTrackerStore, db).retrieve(sender))


def count_reads(monkeypatch):
    reads = []
    real = DialogueStateTracker.from_dict.__func__
    monkeypatch.setattr(DialogueStateTracker, "from_dict",
                        classmethod(lambda cls, *a, **k: reads.append(1) or real(cls, *a, **k)))
    return reads


def test_a_cached_conversation_is_what_a_read_returns_after_every_turn(tmp_path, monkeypatch):
    db = tmp_path / "c.db"
    store = sql_store(LeanSQLTrackerStore, db)
    reads = count_reads(monkeypatch)
    for n, new_session in ((0, True), (1, False), (2, False), (3, True), (4, False), (5, False)):
        tracker = asyncio.run(store.retrieve("c1")) or store.init_tracker("c1")
        for event in rich_turn(n, new_session):
            tracker.update(event)
        asyncio.run(store.save(tracker))
        before = len(reads)
        cached = asyncio.run(store.retrieve("c1"))
        from_database = fresh_read(db)
        assert state(cached) == state(from_database)
        assert stored_count(cached) == len(from_database.events)
        if n in (1, 2, 4, 5):  # a turn without a new session extends the cache: no read
            assert len(reads) == before + 1  # the fresh read only
    assert len(store.recent) == 1


def test_a_row_written_by_another_instance_is_read_not_missed(tmp_path):
    """The cluster's two Rasa instances share the table: the cache must notice the other's rows."""
    db = tmp_path / "c.db"
    first, second = sql_store(LeanSQLTrackerStore, db), sql_store(LeanSQLTrackerStore, db)
    play(first, turns=((0, True), (1, False)))
    asyncio.run(first.retrieve("c1"))
    play(second, turns=((2, False),))  # the next turn lands on the other instance
    assert state(asyncio.run(first.retrieve("c1"))) == state(fresh_read(db))
    assert [e.text for e in asyncio.run(first.retrieve("c1")).events if isinstance(e, UserUttered)][-1] == "질문 2"


def test_rows_written_by_another_instance_during_a_turn_drop_the_cache(tmp_path):
    db = tmp_path / "c.db"
    first, second = sql_store(LeanSQLTrackerStore, db), sql_store(LeanSQLTrackerStore, db)
    play(first, turns=((0, True),))
    tracker = asyncio.run(first.retrieve("c1"))
    play(second, turns=((1, False),))  # written while `first` handles its turn
    for event in turn(2):
        tracker.update(event)
    asyncio.run(first.save(tracker))
    assert first.recent.newest_id("c1") is None
    assert state(asyncio.run(first.retrieve("c1"))) == state(fresh_read(db))


def test_the_cache_keeps_a_bounded_number_of_conversations(tmp_path):
    store = sql_store(LeanSQLTrackerStore, tmp_path / "c.db")
    store.recent.capacity = 2
    for sender in ("a", "b", "c"):
        play(store, sender=sender, turns=((0, True), (1, False)))
        asyncio.run(store.retrieve(sender))
    assert len(store.recent) == 2 and store.recent.newest_id("a") is None


def test_the_cache_holds_only_what_the_redacting_store_wrote(tmp_path):
    """A PIN typed at the PIN step is masked before the rows are written; the cache is built from those rows."""
    from tests.test_redaction import PIN, RESIDENT, turn_events

    db = tmp_path / "c.db"
    store = RedactingTrackerStore(DOMAIN, store={"type": "conversation_store.lean_sql.LeanSQLTrackerStore",
                                                 "dialect": "sqlite", "db": str(db)})
    for n in range(3):
        tracker = asyncio.run(store.get_or_create_tracker("c1"))
        for event in turn_events(n):
            tracker.update(event)
        asyncio.run(store.save(tracker))
        cached = asyncio.run(store.retrieve("c1"))
        dumped = json.dumps(cached.current_state(EventVerbosity.ALL), ensure_ascii=False)
        assert PIN not in dumped and RESIDENT not in dumped
        assert state(cached) == state(fresh_read(db))
    assert store.inner.recent.newest_id("c1") is not None


def test_an_event_older_than_the_session_start_is_left_out_as_a_read_leaves_it_out(tmp_path):
    """Rasa's latest session is "rows stamped at or after the newest session_started": so is the cache's."""
    db = tmp_path / "c.db"
    store = sql_store(LeanSQLTrackerStore, db)
    play(store, turns=((0, True), (1, False)))
    tracker = asyncio.run(store.retrieve("c1"))
    tracker.update(BotUttered("늦게 도착한 메시지", timestamp=1_600_000_000.0))  # e.g. an event posted with its own time
    asyncio.run(store.save(tracker))
    assert state(asyncio.run(store.retrieve("c1"))) == state(fresh_read(db))
    assert "늦게 도착한 메시지" not in [e.text for e in fresh_read(db).events if isinstance(e, BotUttered)]

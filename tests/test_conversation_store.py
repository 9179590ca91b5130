"""The lean SQL conversation store writes and reads exactly what Rasa's SQLTrackerStore does."""
import asyncio
import sqlite3

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered

from conversation_store.lean_sql import LeanSQLTrackerStore
from conversation_store.stored_mark import stored_count

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

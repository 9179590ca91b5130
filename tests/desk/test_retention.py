"""Retention: conversations older than the setting are deleted from the tracker store, with the
desk's closed handoffs and review labels of the same age; recent ones stay."""
import time

from sqlalchemy import select

from agentdesk import queue, retention
from agentdesk.conversation_store import load_conversations, open_conversations
from agentdesk.db import handoffs, open_engine, reviews
from agentdesk.review import save_label
from tests.desk import scenarios as sc
from tests.desk.conversations import save

DAY = 86400


def test_old_conversations_and_their_desk_records_are_deleted(tmp_path, monkeypatch):
    monkeypatch.setenv("AGENTDESK_DB", str(tmp_path / "desk.sqlite3"))
    monkeypatch.setenv("CONVERSATION_RETENTION_DAYS", "30")
    old, recent = "o" * 32, "r" * 32
    url = save(tmp_path / "conversations.sqlite3", [sc.confused(old, time.time() - 40 * DAY),
                                                     sc.confused(recent, time.time() - 2 * DAY)])
    conversations, desk = open_conversations(url), open_engine()
    for cid, age in ((old, 40), (recent, 2)):
        handoff = queue.enqueue(desk, cid, now=time.time() - age * DAY)
        queue.close(desk, handoff["id"], "customer")
        save_label(desk, {"key": f"{cid}:1.0", "text": "인증서 옮기기", "predicted": "faq/storage"}, "faq/copy_how", "a")
    with desk.begin() as db:  # the old label was made 40 days ago
        db.execute(reviews.update().where(reviews.c.conversation_id == old).values(reviewed_at=time.time() - 40 * DAY))

    deleted = retention.purge(conversations, desk)

    assert deleted == {"conversations": 1, "handoffs": 1, "reviews": 1}
    assert set(load_conversations(conversations)) == {recent}
    with desk.connect() as db:
        assert [r.conversation_id for r in db.execute(select(handoffs))] == [recent]
        assert [r.conversation_id for r in db.execute(select(reviews))] == [recent]
    assert retention.purge(conversations, desk) == {"conversations": 0, "handoffs": 0, "reviews": 0}


def test_open_handoffs_are_kept_whatever_their_age(tmp_path, monkeypatch):
    monkeypatch.setenv("AGENTDESK_DB", str(tmp_path / "desk.sqlite3"))
    url = save(tmp_path / "conversations.sqlite3", [sc.handoff("w" * 32, time.time() - 100 * DAY)])
    desk = open_engine()
    queue.enqueue(desk, "w" * 32, now=time.time() - 100 * DAY)
    retention.purge(open_conversations(url), desk, days=30)
    assert len(queue.open_list(desk)) == 1


def test_requests_nobody_took_in_time_are_found_for_closing(tmp_path, monkeypatch):
    monkeypatch.setenv("AGENTDESK_DB", str(tmp_path / "desk.sqlite3"))
    desk = open_engine()
    old = queue.enqueue(desk, "s" * 32, now=time.time() - 3600)
    taken = queue.enqueue(desk, "t" * 32, now=time.time() - 3600)
    queue.take(desk, taken["id"], "agent1", "한지수")
    queue.enqueue(desk, "n" * 32)
    assert [h["id"] for h in queue.stale(desk, time.time() - 20 * 60)] == [old["id"]]
    assert queue.position(desk, queue.open_handoff(desk, "n" * 32)) == 2  # behind the stale one until it closes
    queue.close(desk, old["id"], "timeout")
    assert queue.position(desk, queue.open_handoff(desk, "n" * 32)) == 1


def test_the_store_is_found_from_endpoints_yml_without_other_secrets(monkeypatch, tmp_path):
    from agentdesk.conversation_store import conversations_url

    monkeypatch.delenv("CONVERSATIONS_DATABASE_URL", raising=False)
    monkeypatch.delenv("ACTIONS_PORT", raising=False)  # the action endpoint's variable is not needed
    monkeypatch.setenv("CONVERSATIONS_DB", str(tmp_path / "c.sqlite3"))
    assert conversations_url() == f"sqlite:///{tmp_path / 'c.sqlite3'}"

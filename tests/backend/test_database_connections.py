"""The backend's SQLite database: connections are kept and reused (not opened and closed per request),
and every kept connection still syncs each commit to disk (the backend is the system of record)."""
import threading

from sqlalchemy import event, text

from certbackend.database import Database


def _opened_connections(db: Database) -> list:
    opened = []
    event.listen(db.engine, "connect", lambda dbapi_connection, _record: opened.append(dbapi_connection))
    return opened


def test_transactions_reuse_connections_instead_of_opening_one_each(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'backend.sqlite3'}")
    opened = _opened_connections(db)
    for _ in range(50):
        with db.transaction() as session:
            session.execute(text("SELECT 1"))
    # The schema's connection is reused; before, each of the 50 opened its own (PRAGMAs, and a WAL
    # checkpoint when it closed).
    assert len(opened) <= 1


def test_parallel_request_threads_share_a_bounded_set_of_connections(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'backend.sqlite3'}")
    opened = _opened_connections(db)
    barrier = threading.Barrier(6)

    def request() -> None:
        for _ in range(10):
            with db.transaction() as session:
                barrier.wait(timeout=10) if _ == 0 else None  # all six hold a connection at once
                session.execute(text("SELECT 1"))

    threads = [threading.Thread(target=request) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert 1 <= len(opened) <= 8  # pool_size + max_overflow, however many requests ran


def test_every_connection_keeps_full_sync_and_write_ahead_logging(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'backend.sqlite3'}")
    with db.transaction() as first, db.transaction() as second:  # two pooled connections
        for session in (first, second):
            assert session.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
            assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1

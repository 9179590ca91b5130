"""SQLite settings for the embedded conversation store (Rasa's SQLTrackerStore on one file).

Rasa opens a fresh SQLite connection for every read and write (SQLAlchemy's NullPool for files)
with SQLite's defaults: a rollback journal and `synchronous=FULL`, i.e. several fsyncs per
saved turn, and readers (the agent desk's insights in the web front) blocking the writer.
Write-ahead logging with `synchronous=NORMAL` commits with at most one fsync at checkpoints,
lets readers and the writer work at once, and still never corrupts the file; a power cut can lose
only the last turns committed before it. `busy_timeout` makes a briefly locked database wait
(bounded) instead of failing the turn.
"""
from __future__ import annotations

from typing import Any

BUSY_TIMEOUT_MS = 5000
PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")


def tune_sqlite_engine(engine: Any) -> None:
    """Apply PRAGMAS to every connection a SQLite ``engine`` opens from now on."""
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            for pragma in PRAGMAS:
                cursor.execute(pragma)
        finally:
            cursor.close()

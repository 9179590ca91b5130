"""Engine and transactions. SQLite (WAL) by default; any SQLAlchemy URL works unchanged.

Several backend processes may start at once on a fresh database (a cluster, or a test starting
workers in parallel). Creating the schema is therefore idempotent: on PostgreSQL it runs under a
transaction-scoped advisory lock; on SQLite a "table already exists" from a parallel creator is
retried once the other process has finished.
"""
from __future__ import annotations

import random
import time
from contextlib import contextmanager
from typing import Iterator, Union

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from certbackend.models import Base

# The audit log is append-only; on SQLite the database itself refuses edits.
_SQLITE_AUDIT_GUARDS = (
    "CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit_events "
    "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit_events "
    "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END",
)
_SCHEMA_LOCK_ID = 0x6B6263657274  # any constant: "kbcert"
_SCHEMA_ATTEMPTS = 8


def make_engine(url: str) -> Engine:
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True, future=True)
    # Pooled connections (SQLAlchemy 1.4 gives a file database a NullPool): with a new connection per
    # transaction, every request paid the PRAGMAs of a fresh connection and, when it closed the last
    # connection, a WAL checkpoint with its fsyncs — 10-15 ms of a verification step
    # (docs/performance.md). Durability is unchanged: commits still sync the WAL (synchronous=FULL).
    # The pool is as large as the request threads that use it; SQLite serialises writers anyway.
    engine = create_engine(
        url, future=True, poolclass=QueuePool, pool_size=4, max_overflow=4, pool_timeout=30,
        connect_args={"check_same_thread": False, "timeout": 30}
    )

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=FULL")  # the system of record: every commit reaches the disk
        cursor.close()

    return engine


def _add_missing_columns(connection: Connection) -> None:
    """Databases created by an older version get the columns added since (all nullable or defaulted)."""
    inspector = inspect(connection)
    for table in Base.metadata.sorted_tables:
        if not inspector.has_table(table.name):
            continue
        present = {column["name"] for column in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name in present:
                continue
            ddl = f"ALTER TABLE {table.name} ADD COLUMN {column.name} {column.type.compile(connection.dialect)}"
            if column.server_default is not None:
                default = column.server_default.arg
                default = default.compile(dialect=connection.dialect) if hasattr(default, "compile") else default
                ddl += f" DEFAULT {default} NOT NULL"
            connection.execute(text(ddl))


def _create(connection: Connection) -> None:
    Base.metadata.create_all(connection)  # checkfirst: existing tables and indexes are kept
    _add_missing_columns(connection)
    for index in (i for t in Base.metadata.sorted_tables for i in t.indexes):
        index.create(connection, checkfirst=True)  # e.g. the partial unique index on old tables
    if connection.dialect.name == "sqlite":
        for statement in _SQLITE_AUDIT_GUARDS:
            connection.execute(text(statement))


def create_schema(engine: Engine) -> None:
    for attempt in range(_SCHEMA_ATTEMPTS):
        try:
            with engine.begin() as connection:
                if connection.dialect.name == "postgresql":
                    connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _SCHEMA_LOCK_ID})
                _create(connection)
            return
        except DBAPIError as error:
            # A parallel process created the same table or index a moment earlier.
            if "already exists" not in str(error.orig).lower() or attempt == _SCHEMA_ATTEMPTS - 1:
                raise
            time.sleep(0.05 + random.random() * 0.2)


def connection_of(unit: Union[Session, Connection]) -> Connection:
    """The connection under an ORM session's transaction (or the connection itself).

    The hot request paths (verification start and confirmation, token checks, quota counts, the audit
    trail) run statements built once at import on this connection: the ORM session spent ~140 µs per
    statement on its own bookkeeping and building a statement per call ~190 µs more, against ~45 µs for
    the statement itself on SQLite (docs/performance.md, session 8). Same transaction, same rows.
    """
    return unit.connection() if isinstance(unit, Session) else unit


class Database:
    def __init__(self, url: str) -> None:
        self.engine = make_engine(url)
        create_schema(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False, future=True)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: committed when the block ends, rolled back on any error."""
        session = self._sessions()
        try:
            with session.begin():
                yield session
        finally:
            session.close()

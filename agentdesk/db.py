"""The agent desk's own tables (agents, login sessions, the handoff queue, review labels).

SQLAlchemy Core on SQLite by default (`AGENTDESK_DB`, else var/agentdesk.sqlite3); any SQLAlchemy
URL in `AGENTDESK_DATABASE_URL` (e.g. PostgreSQL) works unchanged. Conversations themselves stay
in Rasa's tracker store; this holds only what the desk adds to them.
"""
from __future__ import annotations

import os
import time

from sqlalchemy import exc
from sqlalchemy import (Column, Float, Integer, MetaData, String, Table, Text, create_engine, event)
from sqlalchemy.engine import Engine

from agentdesk.settings import data_path

metadata = MetaData()

agents = Table(
    "desk_agents", metadata,
    Column("login", String(64), primary_key=True),
    Column("display_name", String(64), nullable=False),
    Column("roles", String(64), nullable=False),  # "agent", "analyst" or "agent,analyst"
    Column("password_hash", String(256), nullable=False),
    Column("failed_logins", Integer, nullable=False, default=0),
    Column("locked_until", Float, nullable=False, default=0.0),
)

sessions = Table(
    "desk_sessions", metadata,
    Column("token_hash", String(64), primary_key=True),  # sha256 of the cookie value; the value is never stored
    Column("login", String(64), nullable=False),
    Column("csrf", String(64), nullable=False),
    Column("expires_at", Float, nullable=False),
)

handoffs = Table(
    "desk_handoffs", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("conversation_id", String(128), nullable=False, index=True),
    Column("state", String(16), nullable=False),  # queued | active | closed
    Column("requested_at", Float, nullable=False),
    Column("taken_at", Float),
    Column("closed_at", Float),
    Column("agent_login", String(64)),
    Column("agent_name", String(64)),
    Column("closed_by", String(16)),  # customer | agent_handback | agent_close
)

reviews = Table(
    "desk_reviews", metadata,
    Column("item_key", String(128), primary_key=True),  # "<conversation>:<event timestamp>"
    Column("conversation_id", String(128), nullable=False, index=True),
    Column("text", Text, nullable=False),  # already masked
    Column("predicted", String(128)),
    Column("label", String(128), nullable=False),
    Column("reviewed_by", String(64), nullable=False),
    Column("reviewed_at", Float, nullable=False),
)


def database_url() -> str:
    return os.environ.get("AGENTDESK_DATABASE_URL") or f"sqlite:///{data_path('AGENTDESK_DB', 'agentdesk.sqlite3')}"


def open_engine(url: str = "") -> Engine:
    url = url or database_url()
    if url.startswith("sqlite:///"):
        from pathlib import Path
        Path(url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, future=True)
    if engine.dialect.name == "sqlite":
        @event.listens_for(engine, "connect")
        def _wal(dbapi_connection, _record):  # the web front writes while the CLI reads
            dbapi_connection.execute("PRAGMA journal_mode=WAL")
            dbapi_connection.execute("PRAGMA busy_timeout=5000")
    _create_tables(engine)
    return engine


def _create_tables(engine: Engine, attempts: int = 5) -> None:
    """CREATE TABLE IF NOT EXISTS, safe when several web fronts start at once (the cluster runs two):
    on PostgreSQL two concurrent creations of one table collide; the loser finds it made next time."""
    for attempt in range(attempts):
        try:
            metadata.create_all(engine)
            return
        except (exc.IntegrityError, exc.ProgrammingError, exc.OperationalError):
            if attempt == attempts - 1:
                raise
            time.sleep(0.2 * (attempt + 1))

"""Reading (and expiring) the stored conversations: Rasa's SQLTrackerStore tables through SQLAlchemy.

The same code reads SQLite (the embedded default, CONVERSATIONS_DB) and PostgreSQL. Where the store
is comes from, in order: CONVERSATIONS_DATABASE_URL (an SQLAlchemy URL), else the store that
endpoints.yml wraps (`tracker_store.store`, built into a URL by Rasa's own SQLTrackerStore.get_db_url).
"""
from __future__ import annotations

import json
import os
from collections import defaultdict
from pathlib import Path
from typing import Any, Dict, List, Optional

import yaml
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Engine

from agentdesk.settings import ROOT

Events = List[Dict[str, Any]]


def conversations_url(endpoints: Path = ROOT / "endpoints.yml") -> str:
    if os.environ.get("CONVERSATIONS_DATABASE_URL"):
        return os.environ["CONVERSATIONS_DATABASE_URL"]
    from rasa.core.tracker_store import SQLTrackerStore

    # Only the tracker store's part of endpoints.yml is read (and only its ${VARS} expanded): this
    # process need not hold the other parts' secrets (the action server's token, for one).
    config = yaml.safe_load(endpoints.read_text(encoding="utf-8")) or {}
    store = dict((config.get("tracker_store") or {}).get("store") or {})
    if not _is_sql_store(str(store.get("type", ""))):
        raise RuntimeError("endpoints.yml stores conversations outside SQL; set CONVERSATIONS_DATABASE_URL")
    params = {k: _expanded(store[k]) for k in ("dialect", "host", "port", "db", "username", "password", "query")
              if k in store}
    return str(SQLTrackerStore.get_db_url(**params))


def _is_sql_store(kind: str) -> bool:
    """Rasa's SQL store, or a subclass of it named by module path (conversation_store.lean_sql)."""
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.utils.common import class_from_module_path

    if kind.lower() == "sql":
        return True
    if "." not in kind:
        return False
    try:
        found = class_from_module_path(kind)
    except (ImportError, AttributeError):
        return False
    return isinstance(found, type) and issubclass(found, SQLTrackerStore)


def _expanded(value):
    if not isinstance(value, str):
        return value
    expanded = os.path.expandvars(value)
    if "${" in expanded:
        raise RuntimeError(f"endpoints.yml tracker store: set {expanded[expanded.index('${'):].split('}')[0]}}}")
    return expanded


def open_conversations(url: Optional[str] = None) -> Engine:
    return create_engine(url or conversations_url(), future=True)


def has_events_table(engine: Engine) -> bool:
    return inspect(engine).has_table("events")


def load_conversations(engine: Engine) -> Dict[str, Events]:
    """Every stored conversation: sender id → its events in order (JSON as Rasa serialized them)."""
    if not has_events_table(engine):
        return {}
    conversations: Dict[str, Events] = defaultdict(list)
    with engine.connect() as db:
        for sender_id, data in db.execute(text("SELECT sender_id, data FROM events ORDER BY id")):
            try:
                conversations[sender_id].append(json.loads(data))
            except (TypeError, ValueError):
                continue
    return dict(conversations)


def delete_conversations_before(engine: Engine, cutoff: float) -> int:
    """Deletes every conversation whose last event is older than `cutoff` (epoch seconds)."""
    if not has_events_table(engine):
        return 0
    with engine.begin() as db:
        old = [row[0] for row in db.execute(text(
            "SELECT sender_id FROM events GROUP BY sender_id HAVING MAX(timestamp) < :cutoff"), {"cutoff": cutoff})]
        for sender_id in old:
            db.execute(text("DELETE FROM events WHERE sender_id = :sender"), {"sender": sender_id})
    return len(old)

"""Append-only audit trail of every state change: who, what, when, on which serial; no secrets."""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Optional

from sqlalchemy import insert
from sqlalchemy.orm import Session

from certbackend.database import connection_of
from certbackend.models import AuditEvent

_INSERT = insert(AuditEvent.__table__)


def record(session: Session, at: datetime, actor: str, action: str,
           serial_hex: Optional[str] = None, **detail: Any) -> None:
    """Written at once in the caller's transaction (rolled back with it); the values it names (a
    customer's id) exist by then, so it never waits for the session's pending objects."""
    connection_of(session).execute(_INSERT, {
        "at": at, "actor": actor, "action": action, "serial_hex": serial_hex,
        "detail": json.dumps(detail, ensure_ascii=False, sort_keys=True) if detail else None})

"""Append-only audit trail of every state change: who, what, when, on which serial; no secrets."""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Optional

from sqlalchemy.orm import Session

from certbackend.models import AuditEvent


def record(session: Session, at: datetime, actor: str, action: str,
           serial_hex: Optional[str] = None, **detail: Any) -> None:
    session.add(AuditEvent(at=at, actor=actor, action=action, serial_hex=serial_hex,
                           detail=json.dumps(detail, ensure_ascii=False, sort_keys=True) if detail else None))

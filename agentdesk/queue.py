"""The handoff queue: one open handoff (queued or active) per conversation, first come first served."""
from __future__ import annotations

import time
from typing import Any, Dict, List, Optional

from sqlalchemy import and_, func, select
from sqlalchemy.engine import Engine

from agentdesk.db import handoffs

OPEN = ("queued", "active")


def _row(row: Any) -> Dict[str, Any]:
    return dict(row._mapping) if row is not None else None


def open_handoff(engine: Engine, conversation_id: str) -> Optional[Dict[str, Any]]:
    with engine.connect() as db:
        return _row(db.execute(select(handoffs).where(and_(
            handoffs.c.conversation_id == conversation_id, handoffs.c.state.in_(OPEN)))
            .order_by(handoffs.c.id.desc())).first())


def latest_handoff(engine: Engine, conversation_id: str) -> Optional[Dict[str, Any]]:
    with engine.connect() as db:
        return _row(db.execute(select(handoffs).where(handoffs.c.conversation_id == conversation_id)
                               .order_by(handoffs.c.id.desc())).first())


def get(engine: Engine, handoff_id: int) -> Optional[Dict[str, Any]]:
    with engine.connect() as db:
        return _row(db.execute(select(handoffs).where(handoffs.c.id == handoff_id)).first())


def enqueue(engine: Engine, conversation_id: str, now: Optional[float] = None) -> Dict[str, Any]:
    """Idempotent: asking again while queued or active keeps the place."""
    existing = open_handoff(engine, conversation_id)
    if existing:
        return existing
    with engine.begin() as db:
        db.execute(handoffs.insert().values(conversation_id=conversation_id, state="queued",
                                            requested_at=now or time.time()))
    return open_handoff(engine, conversation_id)


def position(engine: Engine, handoff: Dict[str, Any]) -> Optional[int]:
    """1 = next in line; None once an agent holds it."""
    if handoff["state"] != "queued":
        return None
    with engine.connect() as db:
        ahead = db.execute(select(func.count()).select_from(handoffs).where(and_(
            handoffs.c.state == "queued", handoffs.c.id < handoff["id"]))).scalar_one()
    return ahead + 1


def open_list(engine: Engine) -> List[Dict[str, Any]]:
    with engine.connect() as db:
        rows = db.execute(select(handoffs).where(handoffs.c.state.in_(OPEN)).order_by(handoffs.c.id)).all()
    return [_row(r) for r in rows]


def take(engine: Engine, handoff_id: int, login: str, name: str) -> bool:
    """Only a queued handoff can be taken, by one agent: the UPDATE's WHERE makes it a race-free claim."""
    with engine.begin() as db:
        result = db.execute(handoffs.update().where(and_(handoffs.c.id == handoff_id, handoffs.c.state == "queued"))
                            .values(state="active", taken_at=time.time(), agent_login=login, agent_name=name))
    return result.rowcount == 1


def close(engine: Engine, handoff_id: int, closed_by: str) -> bool:
    with engine.begin() as db:
        result = db.execute(handoffs.update().where(and_(handoffs.c.id == handoff_id, handoffs.c.state.in_(OPEN)))
                            .values(state="closed", closed_at=time.time(), closed_by=closed_by))
    return result.rowcount == 1


def stale(engine: Engine, older_than: float) -> List[Dict[str, Any]]:
    """Queued handoffs requested before `older_than` (epoch seconds): nobody took them in time."""
    with engine.connect() as db:
        rows = db.execute(select(handoffs).where(and_(handoffs.c.state == "queued",
                                                      handoffs.c.requested_at < older_than))).all()
    return [_row(r) for r in rows]

"""Retention: conversations whose last event is older than CONVERSATION_RETENTION_DAYS are deleted
from the tracker store, with the desk's closed handoffs and review labels of the same age.

The web front runs it at start and every hour; `python -m agentdesk.retention` runs it once.
"""
from __future__ import annotations

import sys
import time
from typing import Dict, Optional

from sqlalchemy import and_
from sqlalchemy.engine import Engine

from agentdesk.conversation_store import delete_conversations_before
from agentdesk.db import handoffs, reviews
from agentdesk.settings import desk_setting


def purge(conversations: Engine, desk: Engine, days: Optional[int] = None, now: Optional[float] = None) -> Dict[str, int]:
    days = int(desk_setting("conversation_retention_days") if days is None else days)
    cutoff = (time.time() if now is None else now) - days * 86400
    deleted = {"conversations": delete_conversations_before(conversations, cutoff)}
    with desk.begin() as db:
        deleted["handoffs"] = db.execute(handoffs.delete().where(and_(
            handoffs.c.state == "closed", handoffs.c.requested_at < cutoff))).rowcount
        deleted["reviews"] = db.execute(reviews.delete().where(reviews.c.reviewed_at < cutoff)).rowcount
    return deleted


def main() -> int:
    from agentdesk.conversation_store import open_conversations
    from agentdesk.db import open_engine

    print(purge(open_conversations(), open_engine()))
    return 0


if __name__ == "__main__":
    sys.exit(main())

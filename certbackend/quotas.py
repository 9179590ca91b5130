"""Quotas: how often one subject (an identity, a phone number) may do something in a time window.

The one interface the rest of the backend uses is :class:`Quotas` (``hit`` and ``exhausted``).
Counters are fixed windows kept in the database so that every backend process shares them; a
Redis-backed class with the same two methods can replace this one without touching the callers (it
would ignore their optional ``session``, with which this one joins the caller's transaction).
Subjects are stored only as keyed hashes (a phone number never reaches the table).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Callable, Optional

from sqlalchemy import bindparam, delete, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from certbackend.database import Database, connection_of
from certbackend.models import RateCounter

_COUNTERS = RateCounter.__table__
# Dialects with INSERT … ON CONFLICT DO UPDATE … WHERE (SQLite ≥ 3.24, PostgreSQL ≥ 9.5): a hit is one
# statement instead of up to two transactions (docs/performance.md, session 7). Written as SQL text, the
# same for both: SQLAlchemy 1.4 does not cache its dialect ON CONFLICT constructs and compiled the upsert
# again on every hit (290 µs a hit against 52 µs now, two hits per verification start; session 8).
# "window" is quoted: it is a reserved word in PostgreSQL.
_UPSERT_DIALECTS = ("sqlite", "postgresql")
_HIT = text(
    f'INSERT INTO {_COUNTERS.name} (bucket, "window", count, expires_at) '
    f'VALUES (:bucket, :window, 1, :expires_at) '
    f'ON CONFLICT (bucket, "window") DO UPDATE SET count = {_COUNTERS.name}.count + 1 '
    f'WHERE {_COUNTERS.name}.count < :limit'
).bindparams(bindparam("expires_at", type_=_COUNTERS.c.expires_at.type))
# Built once, run with parameters: connection_of() says why.
_COUNT = select(_COUNTERS.c.count).where(_COUNTERS.c.bucket == bindparam("bucket"),
                                         _COUNTERS.c.window == bindparam("window"))


@dataclass(frozen=True)
class Rule:
    name: str
    limit: int
    window_seconds: int


def _window_end(rule: Rule, window: int) -> datetime:
    """When a window ends (its counter may be pruned a day later)."""
    return datetime.fromtimestamp((window + 1) * rule.window_seconds, timezone.utc)


class Quotas:
    def __init__(self, db: Database, now: Callable[[], datetime], subject_hash: Callable[[str], str]) -> None:
        self._db, self._now, self._hash = db, now, subject_hash

    def _bucket(self, rule: Rule, subject: str) -> str:
        return f"{rule.name}:{self._hash(subject)}"

    def _window(self, rule: Rule) -> int:
        return int(self._now().timestamp()) // rule.window_seconds

    def retry_after_seconds(self, rule: Rule) -> int:
        """Seconds until the current window ends (what the customer is told to wait)."""
        return rule.window_seconds - int(self._now().timestamp()) % rule.window_seconds

    def hit(self, rule: Rule, subject: str, session: Optional[Session] = None) -> bool:
        """Count one use; False (and nothing counted) when the window's limit is already reached.

        With ``session`` the count joins the caller's transaction: it is undone if the caller's work
        fails, so a request refused for another reason uses up nobody's quota."""
        if session is None:
            with self._db.transaction() as own:
                return self._hit(own, rule, subject)
        return self._hit(session, rule, subject)

    def _hit(self, session: Session, rule: Rule, subject: str) -> bool:
        bucket, window = self._bucket(rule, subject), self._window(rule)
        connection = connection_of(session)
        if connection.dialect.name in _UPSERT_DIALECTS:
            # One statement: create the window's row or add one below the limit. Of N parallel hits,
            # in any process, exactly `limit` change a row (SQLite holds the write lock for the
            # statement; PostgreSQL locks the conflicting row); a refused hit changes none.
            return connection.execute(_HIT, {"bucket": bucket, "window": window, "limit": rule.limit,
                                               "expires_at": _window_end(rule, window)}).rowcount == 1
        return self._hit_portable(session, rule, bucket, window)

    def _hit_portable(self, session: Session, rule: Rule, bucket: str, window: int) -> bool:
        """Other databases: a conditional increment, else an insert under a savepoint (a parallel
        request may create the row first; then count against it)."""
        for _ in range(2):
            counted = session.execute(update(RateCounter).where(
                RateCounter.bucket == bucket, RateCounter.window == window,
                RateCounter.count < rule.limit).values(count=RateCounter.count + 1)).rowcount
            if counted == 1:
                return True
            if session.execute(select(RateCounter.count).where(
                    RateCounter.bucket == bucket, RateCounter.window == window)).first() is not None:
                return False
            try:
                with session.begin_nested():
                    session.add(RateCounter(bucket=bucket, window=window, count=1,
                                            expires_at=_window_end(rule, window)))
                return True
            except IntegrityError:
                continue
        return False

    def exhausted(self, rule: Rule, subject: str, session: Optional[Session] = None) -> bool:
        if session is None:
            with self._db.transaction() as own:
                return self.exhausted(rule, subject, own)
        count = connection_of(session).execute(_COUNT, {"bucket": self._bucket(rule, subject),
                                                         "window": self._window(rule)}).scalar_one_or_none()
        return (count or 0) >= rule.limit

    def prune(self) -> None:
        """Drop counters of windows that are over (called now and then; cheap)."""
        with self._db.transaction() as session:
            session.execute(delete(RateCounter).where(RateCounter.expires_at < self._now() - timedelta(days=1)))

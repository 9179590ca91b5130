"""Quotas: how often one subject (an identity, a phone number) may do something in a time window.

The one interface the rest of the backend uses is :class:`Quotas` (``hit`` and ``exhausted``).
Counters are fixed windows kept in the database so that every backend process shares them; a
Redis-backed class with the same two methods can replace this one without touching the callers.
Subjects are stored only as keyed hashes (a phone number never reaches the table).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Callable

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from certbackend.database import Database
from certbackend.models import RateCounter


@dataclass(frozen=True)
class Rule:
    name: str
    limit: int
    window_seconds: int


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

    def hit(self, rule: Rule, subject: str) -> bool:
        """Count one use; False (and nothing counted) when the window's limit is already reached."""
        bucket, window = self._bucket(rule, subject), self._window(rule)
        for _ in range(2):
            # Conditional increment: of N parallel hits exactly `limit` succeed, in any process.
            with self._db.transaction() as session:
                counted = session.execute(update(RateCounter).where(
                    RateCounter.bucket == bucket, RateCounter.window == window,
                    RateCounter.count < rule.limit).values(count=RateCounter.count + 1)).rowcount
                if counted == 1:
                    return True
                exists = session.execute(select(RateCounter.count).where(
                    RateCounter.bucket == bucket, RateCounter.window == window)).first()
            if exists is not None:
                return False
            try:
                with self._db.transaction() as session:
                    expires = datetime.fromtimestamp((window + 1) * rule.window_seconds, timezone.utc)
                    session.add(RateCounter(bucket=bucket, window=window, count=1, expires_at=expires))
                return True
            except IntegrityError:
                continue  # a parallel request created the row first: count against it
        return False

    def exhausted(self, rule: Rule, subject: str) -> bool:
        with self._db.transaction() as session:
            count = session.execute(select(RateCounter.count).where(
                RateCounter.bucket == self._bucket(rule, subject),
                RateCounter.window == self._window(rule))).scalar_one_or_none()
        return (count or 0) >= rule.limit

    def prune(self) -> None:
        """Drop counters of windows that are over (called now and then; cheap)."""
        with self._db.transaction() as session:
            session.execute(delete(RateCounter).where(RateCounter.expires_at < self._now() - timedelta(days=1)))

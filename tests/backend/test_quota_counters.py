"""Quota counters: one statement per hit, exact under parallel hits, part of the caller's transaction.

A hit used to take up to two transactions (an UPDATE, then an INSERT for a new window) and a
verification start three hits/checks of its own before its insert. Now a hit is one
INSERT … ON CONFLICT DO UPDATE … WHERE; these tests hold it to the old guarantees (exactly
``limit`` of N parallel hits succeed) and to the new one (a hit inside a transaction that fails
counts nothing)."""
import threading
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from certbackend.database import Database
from certbackend.models import RateCounter
from certbackend.quotas import Quotas, Rule

RULE = Rule("test-rule", 5, 3600)
NOW = datetime(2026, 12, 2, 1, 0, tzinfo=timezone.utc)


@pytest.fixture()
def db(tmp_path):
    return Database(f"sqlite:///{tmp_path / 'quota.sqlite3'}")


def _quotas(db: Database) -> Quotas:
    return Quotas(db, lambda: NOW, lambda subject: f"h({subject})")


def _stored_count(db: Database, subject: str) -> int:
    with db.transaction() as session:
        return session.execute(select(RateCounter.count).where(
            RateCounter.bucket == f"{RULE.name}:h({subject})")).scalar_one_or_none() or 0


def test_hits_count_up_to_the_limit_then_refuse_without_counting(db):
    quotas = _quotas(db)
    assert [quotas.hit(RULE, "010-1234-5678") for _ in range(RULE.limit + 3)] == [True] * RULE.limit + [False] * 3
    assert _stored_count(db, "010-1234-5678") == RULE.limit
    assert quotas.exhausted(RULE, "010-1234-5678") and not quotas.exhausted(RULE, "010-0000-0000")


def test_exactly_the_limit_of_parallel_hits_succeed(db):
    quotas, results, barrier = _quotas(db), [], threading.Barrier(12)

    def hit() -> None:
        barrier.wait(timeout=10)
        results.append(quotas.hit(RULE, "victim"))

    threads = [threading.Thread(target=hit) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == [False] * 7 + [True] * 5
    assert _stored_count(db, "victim") == RULE.limit


def test_a_hit_inside_a_failed_transaction_counts_nothing(db):
    quotas = _quotas(db)
    with pytest.raises(RuntimeError):
        with db.transaction() as session:
            assert quotas.hit(RULE, "victim", session)
            raise RuntimeError("the caller's work failed")
    assert _stored_count(db, "victim") == 0
    with db.transaction() as session:
        assert quotas.hit(RULE, "victim", session) and not quotas.exhausted(RULE, "victim", session)
    assert _stored_count(db, "victim") == 1


def test_a_new_window_starts_from_one(db):
    clock = [NOW]
    quotas = Quotas(db, lambda: clock[0], lambda subject: subject)
    assert all(quotas.hit(RULE, "s") for _ in range(RULE.limit)) and not quotas.hit(RULE, "s")
    clock[0] = NOW.replace(hour=2)  # the next hour's window
    assert quotas.hit(RULE, "s")


def test_a_hit_is_compiled_once_not_on_every_call(db, monkeypatch):
    """SQLAlchemy 1.4 does not cache its dialect ON CONFLICT constructs: built with them, the upsert was
    compiled again on every hit (290 µs against 52 µs per hit). Counted on the compiler itself."""
    from sqlalchemy.sql import elements

    compiled = []
    original = elements.ClauseElement._compiler

    def counting(self, dialect, **kw):
        compiled.append(type(self).__name__)
        return original(self, dialect, **kw)

    monkeypatch.setattr(elements.ClauseElement, "_compiler", counting)
    quotas = _quotas(db)
    with db.transaction() as session:
        for n in range(20):
            quotas.hit(RULE, f"subject-{n}", session)
    assert len(compiled) <= 1, compiled

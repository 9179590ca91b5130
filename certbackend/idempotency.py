"""Idempotency keys for issue and renew: a retried request returns the first result.

The stored fingerprint covers only non-secret fields (the operation and, for renew, the serial),
never the PIN: a key must not tell a guessed PIN from the right one. Before a stored result is
returned, the caller's PIN is checked again against the certificate that result names, through
the same counted, lockable PIN check as every other operation. Keys expire after the policy's TTL.
"""
from __future__ import annotations

import json
from datetime import timedelta
from typing import Any, Callable, Dict, Optional, Tuple

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from certbackend.context import ServiceContext
from certbackend.errors import ApiError
from certbackend.models import IdempotencyRecord

Result = Tuple[int, Dict[str, Any]]
# Checks the caller's PIN against the stored result (raises PIN_INVALID / CERT_LOCKED when wrong).
Reverify = Callable[[Result], None]


def run_once(ctx: ServiceContext, scope: str, key: Optional[str], request: Dict[str, Any],
             operation: Callable[[], Result], reverify: Reverify) -> Result:
    if key is None:
        return operation()
    assert "pin" not in request, "the fingerprint must hold no secret"
    request_hash = ctx.hasher.digest("idempotency", json.dumps(request, sort_keys=True))
    claimed = _claim(ctx, scope, key, request_hash)
    if claimed is not None:
        reverify(claimed)
        return claimed
    try:
        status, body = operation()
    except BaseException:
        # Failed requests leave nothing behind, so the same key may be retried.
        _release(ctx, scope, key)
        raise
    with ctx.db.transaction() as session:
        record = session.execute(select(IdempotencyRecord).where(
            IdempotencyRecord.scope == scope, IdempotencyRecord.key == key)).scalar_one()
        record.status, record.response_json = status, json.dumps(body, ensure_ascii=False)
    return status, body


def _release(ctx: ServiceContext, scope: str, key: str) -> None:
    with ctx.db.transaction() as session:
        session.execute(delete(IdempotencyRecord).where(
            IdempotencyRecord.scope == scope, IdempotencyRecord.key == key))


def _claim(ctx: ServiceContext, scope: str, key: str, request_hash: str, depth: int = 0) -> Optional[Result]:
    """Insert the key, or return the stored result of the request that inserted it first."""
    now = ctx.clock.now()
    oldest_valid = now - timedelta(hours=ctx.policy.idempotency_key_ttl_hours)
    with ctx.db.transaction() as session:
        # Expired keys are forgotten: the same key starts a new request.
        session.execute(delete(IdempotencyRecord).where(
            IdempotencyRecord.scope == scope, IdempotencyRecord.key == key,
            IdempotencyRecord.created_at < oldest_valid, IdempotencyRecord.status.isnot(None)))
    try:
        with ctx.db.transaction() as session:
            session.add(IdempotencyRecord(scope=scope, key=key, request_hash=request_hash, created_at=now))
        return None
    except IntegrityError:
        pass
    with ctx.db.transaction() as session:
        record = session.execute(select(IdempotencyRecord).where(
            IdempotencyRecord.scope == scope, IdempotencyRecord.key == key)).scalar_one_or_none()
    if record is None and depth < 3:  # the first request failed and released the key meanwhile
        return _claim(ctx, scope, key, request_hash, depth + 1)
    if record is None:
        raise ApiError(409, "REQUEST_IN_PROGRESS", "같은 요청을 처리하고 있어요. 잠시 후 다시 확인해 주세요.")
    if record.request_hash != request_hash:
        raise ApiError(422, "IDEMPOTENCY_KEY_REUSED",
                       "같은 요청 번호로 다른 요청이 들어왔어요. 새로 시도해 주세요.")
    if record.status is None:
        if depth < 3 and _take_over_abandoned(ctx, scope, key, record.created_at, now):
            return None
        raise ApiError(409, "REQUEST_IN_PROGRESS", "같은 요청을 처리하고 있어요. 잠시 후 다시 확인해 주세요.")
    return record.status, json.loads(record.response_json)


# A request still unfinished this long after it claimed its key was abandoned: its process died
# (kill -9, a crash) between the claim and the result, so neither _release nor the result ran.
# Every request finishes or fails far sooner (the channel gives up after seconds), so the same key
# may start again instead of answering "in progress" until the key expires hours later.
ABANDONED_AFTER = timedelta(seconds=30)


def _take_over_abandoned(ctx: ServiceContext, scope: str, key: str, claimed_at, now) -> bool:
    """Re-claim an abandoned key; only one of several concurrent retries wins (compare-and-set)."""
    if now - claimed_at < ABANDONED_AFTER:  # created_at is NOT NULL and aware (models.UtcDateTime)
        return False
    with ctx.db.transaction() as session:
        taken = session.execute(update(IdempotencyRecord).where(
            IdempotencyRecord.scope == scope, IdempotencyRecord.key == key,
            IdempotencyRecord.status.is_(None), IdempotencyRecord.created_at == claimed_at,
        ).values(created_at=now)).rowcount
    return taken == 1


def prune(ctx: ServiceContext) -> None:
    """Drop expired keys of finished requests (called at start-up)."""
    oldest_valid = ctx.clock.now() - timedelta(hours=ctx.policy.idempotency_key_ttl_hours)
    with ctx.db.transaction() as session:
        session.execute(delete(IdempotencyRecord).where(
            IdempotencyRecord.created_at < oldest_valid, IdempotencyRecord.status.isnot(None)))

"""Idempotency keys for issue and renew: a retried request returns the first result."""
from __future__ import annotations

import json
from typing import Any, Callable, Dict, Optional, Tuple

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from certbackend.context import ServiceContext
from certbackend.errors import ApiError
from certbackend.models import IdempotencyRecord

Result = Tuple[int, Dict[str, Any]]


def run_once(ctx: ServiceContext, scope: str, key: Optional[str], request: Dict[str, Any],
             operation: Callable[[], Result]) -> Result:
    if key is None:
        return operation()
    # Keyed hash: the request may hold a PIN, which must not be stored even hashed plainly.
    request_hash = ctx.hasher.digest("idempotency", json.dumps(request, sort_keys=True))
    claimed = _claim(ctx, scope, key, request_hash)
    if claimed is not None:
        return claimed
    try:
        status, body = operation()
    except BaseException:
        # Failed requests leave nothing behind, so the same key may be retried.
        with ctx.db.transaction() as session:
            session.execute(delete(IdempotencyRecord).where(
                IdempotencyRecord.scope == scope, IdempotencyRecord.key == key))
        raise
    with ctx.db.transaction() as session:
        record = session.execute(select(IdempotencyRecord).where(
            IdempotencyRecord.scope == scope, IdempotencyRecord.key == key)).scalar_one()
        record.status, record.response_json = status, json.dumps(body, ensure_ascii=False)
    return status, body


def _claim(ctx: ServiceContext, scope: str, key: str, request_hash: str) -> Optional[Result]:
    """Insert the key, or return the stored result of the request that inserted it first."""
    try:
        with ctx.db.transaction() as session:
            session.add(IdempotencyRecord(scope=scope, key=key, request_hash=request_hash,
                                          created_at=ctx.clock.now()))
        return None
    except IntegrityError:
        pass
    with ctx.db.transaction() as session:
        record = session.execute(select(IdempotencyRecord).where(
            IdempotencyRecord.scope == scope, IdempotencyRecord.key == key)).scalar_one_or_none()
    if record is None:  # the first request failed and released the key meanwhile
        return _claim(ctx, scope, key, request_hash)
    if record.request_hash != request_hash:
        raise ApiError(422, "IDEMPOTENCY_KEY_REUSED",
                       "같은 요청 번호로 다른 요청이 들어왔어요. 새로 시도해 주세요.")
    if record.status is None:
        raise ApiError(409, "REQUEST_IN_PROGRESS", "같은 요청을 처리하고 있어요. 잠시 후 다시 확인해 주세요.")
    return record.status, json.loads(record.response_json)

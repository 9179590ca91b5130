"""A request whose process died after claiming its idempotency key (kill -9 mid-renewal, seen in the
cluster's kill test) must not leave that key "in progress" for hours: after ABANDONED_AFTER the same key
starts again, and only one of several concurrent retries takes it over."""
from datetime import timedelta

import pytest
from sqlalchemy import update

from certbackend.context import build_context
from certbackend.errors import ApiError
from certbackend.idempotency import ABANDONED_AFTER, _claim, run_once
from certbackend.models import IdempotencyRecord
from certbackend.settings import Settings

REQUEST = {"serial": "ab12", "customer": 7}


@pytest.fixture
def ctx(tmp_path):
    return build_context(Settings.from_env({"BACKEND_DATA_DIR": str(tmp_path), "BACKEND_DEMO_MODE": "0"}))


def _abandon(ctx, key, age):
    """The claim a killed process left behind: status NULL, claimed ``age`` ago."""
    request_hash = ctx.hasher.digest("idempotency", __import__("json").dumps(REQUEST, sort_keys=True))
    assert _claim(ctx, "renew", key, request_hash) is None
    with ctx.db.transaction() as session:
        session.execute(update(IdempotencyRecord).where(IdempotencyRecord.key == key)
                        .values(created_at=ctx.clock.now() - age))


def test_an_abandoned_claim_is_taken_over_and_the_request_runs_once(ctx):
    _abandon(ctx, "k1", ABANDONED_AFTER + timedelta(seconds=5))
    ran = []
    result = run_once(ctx, "renew", "k1", REQUEST, lambda: ran.append(1) or (201, {"ok": True}), lambda _: None)
    assert result == (201, {"ok": True}) and ran == [1]
    # …and the key now holds that result: a retry gets it without running the operation again.
    assert run_once(ctx, "renew", "k1", REQUEST, lambda: ran.append(2) or (500, {}), lambda _: None) == (201, {"ok": True})
    assert ran == [1]


def test_a_recent_claim_is_still_in_progress(ctx):
    _abandon(ctx, "k2", timedelta(seconds=5))
    with pytest.raises(ApiError) as refused:
        run_once(ctx, "renew", "k2", REQUEST, lambda: (201, {}), lambda _: None)
    assert refused.value.status == 409

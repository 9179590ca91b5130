"""A verification start and a right code each take one database transaction (one commit, one WAL sync).

Before: a start ran four transactions (failure quota, two start quotas — each up to two when its
window was new — and the insert) and a confirmation four (load, failure quota, the attempt, the
completion). Counted on the engine's commits, on the real service functions."""
import re

from sqlalchemy import event

from certbackend import certificates, demo, verification
from certbackend.context import build_context
from certbackend.inputs import identity
from certbackend.settings import Settings


def _commits(ctx) -> list:
    commits = []
    event.listen(ctx.db.engine, "commit", lambda connection: commits.append(1))
    return commits


def test_start_and_a_right_code_commit_once_each(tmp_path):
    ctx = build_context(Settings.from_env({"BACKEND_DATA_DIR": str(tmp_path), "BACKEND_DEMO_MODE": "1"}))
    person = identity({"name": "한지민", "birth_date": "1990-03-04", "phone": "010-2345-6789"}, ctx.clock.today_kst())
    reference = "ab" * 16
    commits = _commits(ctx)
    started = verification.start(ctx, "sms", person, reference)
    assert len(commits) == 1
    code = re.search(r"\[(\d{6})\]", ctx.phone.inbox(reference)[0]["text"]).group(1)
    del commits[:]
    confirmed = verification.confirm(ctx, started["verification_id"], code)
    assert len(commits) == 1
    assert verification.token_info(ctx, confirmed["verification_token"]).masked_phone == started["masked_phone"]
    assert confirmed["customer"] == {"name": "한지민", "has_certificate": False}


def test_a_right_code_returns_the_same_certificate_status_as_the_status_request(tmp_path):
    """The chat reads the certificates from the confirmation instead of a second request: the body must
    be exactly what GET /v1/certificates gives that token's customer (here one with a certificate)."""
    ctx = build_context(Settings.from_env({"BACKEND_DATA_DIR": str(tmp_path), "BACKEND_DEMO_MODE": "1"}))
    demo.seed(ctx)
    person = identity({"name": "김민준", "birth_date": "1985-03-15", "phone": "010-1111-2222"}, ctx.clock.today_kst())
    reference = "cd" * 16
    started = verification.start(ctx, "sms", person, reference)
    code = re.search(r"\[(\d{6})\]", ctx.phone.inbox(reference)[0]["text"]).group(1)
    confirmed = verification.confirm(ctx, started["verification_id"], code)
    customer_id = verification.token_info(ctx, confirmed["verification_token"]).customer_id
    assert confirmed["certificate_status"] == certificates.status(ctx, customer_id)
    assert confirmed["certificate_status"]["current"]["state"] == "expiring"
    assert confirmed["customer"] == {"name": "김민준", "has_certificate": True}

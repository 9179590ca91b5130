"""The certificate status is read with a fixed number of statements, and reads what the model says.

Session 14 moved the status (``GET /v1/certificates`` and the body a confirmed verification returns)
from ORM objects with lazy loads (the customer, its certificates, each certificate's devices) to two
statements over the tables, and the route's token check into the same transaction. These tests hold
the rows-based view to the ORM objects' own view of the same customer, and count the statements."""
import re
from datetime import timedelta

from sqlalchemy import event

from certbackend import certificates, demo, verification
from certbackend.context import build_context
from certbackend.errors import ApiError
from certbackend.inputs import identity
from certbackend.models import Certificate, Customer, Device
from certbackend.settings import Settings
from certbackend.views import certificate_view

import pytest

PERSON = {"name": "김민준", "birth_date": "1985-03-15", "phone": "010-1111-2222"}


def _context(tmp_path):
    ctx = build_context(Settings.from_env({"BACKEND_DATA_DIR": str(tmp_path), "BACKEND_DEMO_MODE": "1"}))
    demo.seed(ctx)
    return ctx


def _token(ctx, reference="ef" * 16) -> str:
    started = verification.start(ctx, "sms", identity(PERSON, ctx.clock.today_kst()), reference)
    code = re.search(r"\[(\d{6})\]", ctx.phone.inbox(reference)[0]["text"]).group(1)
    return verification.confirm(ctx, started["verification_id"], code)["verification_token"]


def _history(ctx, customer_id: int) -> None:
    """Give the customer what a long life leaves: a superseded and a revoked certificate older than the
    active one, and two devices on the active one (one on the superseded one, never shown)."""
    now = ctx.clock.now()
    with ctx.db.transaction() as session:
        active = next(c for c in session.get(Customer, customer_id).certificates if c.state == "active")
        old = [Certificate(customer_id=customer_id, serial_hex=f"{n:040x}", state=state,
                           not_before=active.not_before - timedelta(days=1100),
                           not_after=active.not_after - timedelta(days=1100), certificate_pem="-----OLD-----",
                           wrapped_key=b"x", failed_pin_attempts=0, locked=False, replaced_by_serial=replaced)
               for n, (state, replaced) in enumerate([("revoked", None), ("superseded", active.serial_hex)], 1)]
        session.add_all(old)
        session.flush()
        session.add_all([Device(certificate_id=active.id, name=name, connected_at=now) for name in ("노트북", "태블릿")]
                        + [Device(certificate_id=old[1].id, name="예전 폰", connected_at=now)])


def _orm_view(ctx, customer_id: int):
    """The status as the ORM objects give it (the pre-session-14 code path, kept as the reference)."""
    now = ctx.clock.now()
    with ctx.db.transaction() as session:
        customer = session.get(Customer, customer_id)
        views = [certificate_view(c, now, ctx.policy) for c in sorted(customer.certificates, key=lambda c: -c.id)]
    return views


def test_the_status_is_what_the_orm_objects_say(tmp_path):
    ctx = _context(tmp_path)
    token = _token(ctx)
    customer_id = verification.token_info(ctx, token).customer_id
    _history(ctx, customer_id)
    status = certificates.status_for_token(ctx, token)
    assert status["certificates"] == _orm_view(ctx, customer_id)
    # Newest (highest id) first: the old certificates were added after the seeded one.
    assert [c["state"] for c in status["certificates"]] == ["superseded", "revoked", "expiring"]
    assert status["current"]["state"] == "expiring"
    assert [d["name"] for d in status["current"]["devices"]] == ["노트북", "태블릿"]
    assert status["certificates"][0]["devices"] == []  # only the certificate in use lists devices
    assert status == certificates.status(ctx, customer_id)
    assert status["customer"] == {"name": "김민준"}


def test_a_status_request_is_one_transaction_of_four_statements_however_long_the_history(tmp_path):
    ctx = _context(tmp_path)
    token = _token(ctx)
    customer_id = verification.token_info(ctx, token).customer_id
    statements, commits = [], []
    event.listen(ctx.db.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    event.listen(ctx.db.engine, "commit", lambda connection: commits.append(1))
    certificates.status_for_token(ctx, token)
    short = len(statements)
    _history(ctx, customer_id)
    del statements[:], commits[:]
    certificates.status_for_token(ctx, token)
    # The token, the name, the certificates, their devices: not one more per certificate or device.
    assert len(statements) == short == 4 and len(commits) == 1


def test_a_confirmation_reads_the_status_in_its_own_statements(tmp_path):
    """The confirmation's status comes from the same two statements (no lazy load per certificate)."""
    ctx = _context(tmp_path)
    customer_id = verification.token_info(ctx, _token(ctx, "a1" * 16)).customer_id
    _history(ctx, customer_id)
    statements = []
    reference = "b2" * 16
    started = verification.start(ctx, "sms", identity(PERSON, ctx.clock.today_kst()), reference)
    code = re.search(r"\[(\d{6})\]", ctx.phone.inbox(reference)[0]["text"]).group(1)
    event.listen(ctx.db.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    confirmed = verification.confirm(ctx, started["verification_id"], code)
    assert sum(1 for s in statements if "FROM certificates" in s) == 1
    assert sum(1 for s in statements if "FROM devices" in s) == 1
    assert confirmed["certificate_status"]["certificates"] == _orm_view(ctx, customer_id)


@pytest.mark.parametrize("token", ["", "not-a-token"])
def test_a_status_without_a_valid_token_reads_nothing(tmp_path, token):
    ctx = _context(tmp_path)
    statements = []
    event.listen(ctx.db.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    with pytest.raises(ApiError) as refused:
        certificates.status_for_token(ctx, token)
    assert refused.value.status == 401 and refused.value.code == "VERIFICATION_REQUIRED"
    assert not any("FROM certificates" in s for s in statements)


def test_a_status_with_an_expired_token_is_refused_as_expired(tmp_path):
    ctx = _context(tmp_path)
    token = _token(ctx)
    later = ctx.clock.now() + timedelta(minutes=ctx.policy.token_ttl_minutes, seconds=1)
    ctx.clock.now = lambda: later
    with pytest.raises(ApiError) as refused:
        certificates.status_for_token(ctx, token)
    assert refused.value.status == 401 and refused.value.code == "VERIFICATION_EXPIRED"

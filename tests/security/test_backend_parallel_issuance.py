"""Finding 5: parallel issuance left several active certificates.

The attacker (or a double-clicking customer, or a retrying client) sends the same customer's issue
request many times at once over HTTP. `certificates.py` read the active certificates outside a
transaction and revoked them without a condition: 4 parallel issues gave 4 active certificates.
Now the revoke is conditional (rowcount checked) and a partial unique index (one active certificate
per customer) makes a second active certificate impossible in the database itself.
"""
import sqlite3

import pytest

from tests.backend.attack import AttackApi, error_code, finish, fresh_backend, in_parallel

PARALLEL = 8


@pytest.fixture(scope="module")
def api():
    backend = fresh_backend("issuance")
    yield AttackApi(backend)
    finish(backend)


def _states(api, token):
    return sorted(c["state"] for c in api.status(token)["certificates"])


def _assert_clear(replies):
    for reply in replies:
        assert reply.status_code in (201, 409), reply.text
        if reply.status_code == 409:
            assert error_code(reply) in ("CONFLICT", "REQUEST_IN_PROGRESS")
            assert any("가" <= ch <= "힣" for ch in reply.json()["error"]["message"])


def test_eight_parallel_first_issues_leave_exactly_one_active_certificate(api):
    token = api.verify(api.new_person())
    assert api.second_factor(token).status_code == 200
    replies = in_parallel([lambda n=n: api.issue(token, "482915", second_factor=False, idempotency_key=f"first-{n}")
                           for n in range(PARALLEL)], workers=PARALLEL)
    _assert_clear(replies)
    assert _states(api, token).count("active") == 1, _states(api, token)
    # Every certificate a 201 handed out is either the active one or already revoked (on the CRL).
    handed_out = {r.json()["certificate"]["serial"] for r in replies if r.status_code == 201}
    states = {c["serial"]: c["state"] for c in api.status(token)["certificates"]}
    assert handed_out and handed_out <= set(states)


def test_eight_parallel_reissues_over_an_active_certificate_leave_exactly_one_active(api):
    token = api.verify(api.new_person(name="오세훈"))
    assert api.issue(token, "482915").status_code == 201
    replies = in_parallel([lambda n=n: api.issue(token, "604827", second_factor=False, idempotency_key=f"re-{n}")
                           for n in range(PARALLEL)], workers=PARALLEL)
    _assert_clear(replies)
    assert _states(api, token).count("active") == 1, _states(api, token)


def test_parallel_retries_with_one_key_get_one_certificate(api):
    token = api.verify(api.new_person(name="한지민"))
    assert api.second_factor(token).status_code == 200
    replies = in_parallel([lambda: api.issue(token, "482915", second_factor=False, idempotency_key="same")
                           for _ in range(PARALLEL)], workers=PARALLEL)
    _assert_clear(replies)
    assert len({r.json()["certificate"]["serial"] for r in replies if r.status_code == 201}) == 1
    assert _states(api, token) == ["active"]


def test_the_database_itself_refuses_a_second_active_certificate(api):
    token = api.verify(api.new_person(name="윤아름"))
    serial = api.issue(token, "482915").json()["certificate"]["serial"]
    with sqlite3.connect(api.backend.data_dir / "certbackend.sqlite3") as db:
        row = db.execute("SELECT customer_id, not_before, not_after, certificate_pem, wrapped_key "
                         "FROM certificates WHERE serial_hex = ?", (serial,)).fetchone()
        with pytest.raises(sqlite3.IntegrityError):
            db.execute("INSERT INTO certificates (customer_id, serial_hex, state, not_before, not_after, "
                       "certificate_pem, wrapped_key, failed_pin_attempts, locked) "
                       "VALUES (?, 'ff01', 'active', ?, ?, ?, ?, 0, 0)", row)

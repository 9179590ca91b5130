"""Finding 6: an idempotency key was a PIN oracle.

The attacker holds a verification token (e.g. a visitor who took over a conversation) and an
idempotency key the customer used for issue or renew. The stored request fingerprint was an
unsalted hash of {"pin": …}: replaying the key with guessed PINs answered "reused key" (wrong) or
the stored 201 (right), with no scrypt and no failure counted. Now the fingerprint holds no secret,
a replay's PIN is checked (and counted) against the stored certificate, and keys expire.
"""
import pytest

from certpolicy import load_policy
from tests.backend.attack import AttackApi, audit_actions, error_code, finish, fresh_backend

POLICY = load_policy()


@pytest.fixture(scope="module")
def api():
    backend = fresh_backend("idempotency")
    yield AttackApi(backend)
    finish(backend)


def test_replaying_an_issue_key_with_guessed_pins_is_counted_and_locks(api):
    token = api.verify(api.new_person())
    first = api.issue(token, "482915", idempotency_key="issue-key")
    serial = first.json()["certificate"]["serial"]
    codes = []
    for guess in ("111112", "222223", "333334", "444445", "555556"):
        reply = api.issue(token, guess, second_factor=False, idempotency_key="issue-key")
        codes.append(error_code(reply))
        assert reply.status_code != 201 and "certificate" not in reply.text
    # Each guess answered like any wrong PIN (never "reused key"), and each was counted.
    assert codes == ["PIN_INVALID"] * (POLICY.pin_lock_threshold - 1) + ["CERT_LOCKED"], codes
    assert audit_actions(api, "pin_failed", serial) == POLICY.pin_lock_threshold
    right = api.issue(token, "482915", second_factor=False, idempotency_key="issue-key")
    assert right.status_code == 409 and error_code(right) == "CERT_LOCKED"


def test_replaying_a_renew_key_with_a_wrong_pin_is_no_oracle(api):
    person = api.new_person(name="임채원")
    serial = api.issue(api.verify(person), "482915").json()["certificate"]["serial"]
    api.move_clock(3 * 365.25 - 10)
    try:
        token = api.verify(person)
        path = f"/v1/certificates/{serial}/renew"
        renewed = api.call("POST", path, token=token, idempotency_key="renew-key", json={"pin": "482915"})
        assert renewed.status_code == 201
        wrong = api.call("POST", path, token=token, idempotency_key="renew-key", json={"pin": "604827"})
        assert wrong.status_code == 403 and error_code(wrong) == "PIN_INVALID"
        again = api.call("POST", path, token=token, idempotency_key="renew-key", json={"pin": "482915"})
        assert again.status_code == 201 and again.json() == renewed.json()
    finally:
        api.move_clock(0)


def test_idempotency_keys_expire(api):
    person = api.new_person(name="서하은")
    token = api.verify(person)
    first = api.issue(token, "482915", idempotency_key="old-key").json()["certificate"]["serial"]
    api.move_clock((POLICY.idempotency_key_ttl_hours + 1) / 24)
    try:
        token = api.verify(person)
        later = api.issue(token, "604827", idempotency_key="old-key")
        assert later.status_code == 201, later.text
        assert later.json()["certificate"]["serial"] != first and later.json()["reissued"] is True
    finally:
        api.move_clock(0)

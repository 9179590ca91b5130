"""Finding 4: the PIN lock and the code attempt limit failed under parallel requests.

The attacker holds a verification token (or a verification in progress) and fires many guesses at
once over HTTP. `pin_guard.py` checked a snapshot read before the slow scrypt check, and
`verification.py` compared the code after checking the count: 24 parallel wrong PINs counted 23
failures against a threshold of 5, and the right PIN still signed afterwards. Each guess must now
reserve its attempt atomically before it is checked.
"""
import pytest

from certpolicy import load_policy
from tests.backend.attack import AttackApi, audit_actions, error_code, finish, fresh_backend, in_parallel

POLICY = load_policy()
GUESSES = 30


@pytest.fixture(scope="module")
def api():
    backend = fresh_backend("parallel")
    yield AttackApi(backend)
    finish(backend)


def test_thirty_parallel_wrong_pins_count_exactly_the_threshold_then_the_right_pin_is_refused(api):
    token = api.verify(api.new_person())
    serial = api.issue(token, "482915").json()["certificate"]["serial"]
    path = f"/v1/certificates/{serial}/sign"
    guesses = [f"{700000 + n:06d}" for n in range(GUESSES)]
    replies = in_parallel([lambda pin=pin: api.call("POST", path, token=token, json={"pin": pin, "challenge": "x"})
                           for pin in guesses])
    assert {error_code(r) for r in replies} <= {"PIN_INVALID", "CERT_LOCKED"}
    assert audit_actions(api, "pin_failed", serial) == POLICY.pin_lock_threshold
    right = api.call("POST", path, token=token, json={"pin": "482915", "challenge": "x"})
    assert right.status_code == 409 and error_code(right) == "CERT_LOCKED", right.text
    assert api.status(token)["current"]["state"] == "locked"


def test_parallel_wrong_pins_on_every_pin_operation_lock_it(api):
    """change_pin, revoke and device connection go through the same reservation."""
    token = api.verify(api.new_person(name="김하준"))
    serial = api.issue(token, "482915").json()["certificate"]["serial"]
    base = f"/v1/certificates/{serial}"
    attempts = []
    for n in range(GUESSES):
        pin = f"{710000 + n:06d}"
        attempts.append([
            lambda pin=pin: api.call("POST", f"{base}/pin", token=token, json={"current_pin": pin, "new_pin": "604827"}),
            lambda pin=pin: api.call("POST", f"{base}/revoke", token=token, json={"pin": pin}),
            lambda pin=pin: api.call("POST", f"{base}/devices", token=token, json={"pin": pin, "name": f"기기{pin}"}),
        ][n % 3])
    in_parallel(attempts)
    assert audit_actions(api, "pin_failed", serial) == POLICY.pin_lock_threshold
    for path, body in ((f"{base}/pin", {"current_pin": "482915", "new_pin": "604827"}),
                       (f"{base}/revoke", {"pin": "482915"}), (f"{base}/sign", {"pin": "482915", "challenge": "x"})):
        assert error_code(api.call("POST", path, token=token, json=body)) == "CERT_LOCKED", path


def test_thirty_parallel_wrong_codes_are_compared_only_max_attempts_times(api):
    person = api.new_person(name="정서아")
    started = api.start_sms(person)
    code = api.sms_code(person)
    confirm = f"/v1/verifications/{started['verification_id']}/confirm"
    wrong = [f"{(int(code) + 1 + n) % 1_000_000:06d}" for n in range(GUESSES)]
    before = audit_actions(api, "verification_failed")
    replies = in_parallel([lambda c=c: api.call("POST", confirm, json={"code": c}) for c in wrong])
    assert {error_code(r) for r in replies} == {"VERIFICATION_FAILED"}
    assert audit_actions(api, "verification_failed") - before == POLICY.sms_max_attempts
    right = api.call("POST", confirm, json={"code": code})
    assert right.status_code == 400 and right.json()["error"]["remaining_attempts"] == 0

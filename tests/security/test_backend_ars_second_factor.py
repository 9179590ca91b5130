"""Finding 1 (backend): ARS proved nothing, and a phone check alone was enough to reissue.

The attacker is whoever can talk to the chat (any visitor on the internet): with only a victim's
name, birth date and phone number, they started ARS, read the digits the API returned to them and
confirmed those digits themselves, then reissued: the victim's working certificate was revoked and
a new one made with the attacker's PIN. Replayed here over HTTP against a real backend.
"""
import pytest

from certpolicy import load_policy
from tests.backend.attack import KIMMINJUN, AttackApi, audit_actions, error_code, finish, fresh_backend, in_parallel

POLICY = load_policy()


@pytest.fixture(scope="module")
def api():
    backend = fresh_backend("ars")
    yield AttackApi(backend)
    finish(backend)


def _current_serial(api, token):
    return api.status(token)["current"]["serial"]


# The quota allows a few verifications per identity and hour: the tests below share them.
def test_the_chat_side_cannot_complete_ars_with_the_digits_it_is_shown(api):
    owner = api.verify(KIMMINJUN)  # the real customer, to look at the certificate afterwards
    before = _current_serial(api, owner)
    started = api.start(KIMMINJUN, "ars")
    digits = started.get("ars_digits") or started.get("ars_number")  # the attacker sees them on screen
    confirm = f"/v1/verifications/{started['verification_id']}/confirm"
    for body in ({"code": digits}, {}):
        reply = api.call("POST", confirm, json=body)
        assert reply.status_code == 409 and error_code(reply) == "ARS_PENDING", reply.text
        assert "verification_token" not in reply.text
    # Without a token nothing can be reissued: the victim's certificate is untouched.
    assert _current_serial(api, owner) == before


def test_the_channel_credential_cannot_key_digits_on_the_phone_side(api):
    started = api.start(KIMMINJUN, "ars")
    calls = [m for m in api.texts(KIMMINJUN) if m.get("kind") == "ars_call"]
    assert calls, "the ARS call must ring on the demo phone"
    keys = f"/demo/phone/calls/{calls[0]['call']['call_id']}/keys"
    # The chat's credential (the action server's bearer token) is refused on the phone side ...
    assert api.call("POST", keys, json={"digits": started["ars_digits"]}).status_code == 401
    assert api.call("GET", "/demo/phone/inbox", params={"channel_ref": KIMMINJUN.channel_ref}).status_code == 401
    # ... and the phone credential opens nothing else.
    for method, path in (("POST", "/v1/verifications"), ("GET", "/v1/certificates"), ("POST", "/demo/clock"),
                         ("GET", "/v1/audit")):
        assert api.phone(method, path, json={}).status_code == 401, path


def test_reissue_over_a_working_certificate_needs_the_account_password(api):
    token = api.verify(KIMMINJUN)  # the phone check alone (e.g. a SIM-swapped phone)
    victim_serial = _current_serial(api, token)
    reply = api.issue(token, "604827", second_factor=False)
    assert reply.status_code == 403 and error_code(reply) == "SECOND_FACTOR_REQUIRED", reply.text
    assert "계좌 비밀번호" in reply.json()["error"]["message"]
    assert _current_serial(api, token) == victim_serial


def test_a_person_without_a_bank_account_cannot_be_issued_a_certificate(api):
    stranger = api.new_person(name="나그네", bank_customer=False)
    token = api.verify(stranger)
    for reply in (api.second_factor(token, "1234"), api.issue(token, "604827", second_factor=False)):
        assert reply.status_code == 403 and error_code(reply) == "NOT_A_BANK_CUSTOMER", reply.text
    assert api.status(token)["certificates"] == []


def test_account_password_guesses_lock_it_even_in_parallel(api):
    person = api.new_person(name="이도윤")
    token = api.verify(person)
    wrong = "0000" if person.account_password != "0000" else "1111"
    replies = in_parallel([lambda: api.second_factor(token, wrong)] * 20, workers=20)
    codes = {error_code(r) for r in replies}
    assert codes <= {"SECOND_FACTOR_INVALID", "SECOND_FACTOR_LOCKED"}, codes
    # Exactly the threshold of guesses was checked (one audit event each), not one more.
    assert audit_actions(api, "second_factor_failed") == POLICY.second_factor_lock_threshold
    right = api.second_factor(token, person.account_password)
    assert right.status_code == 423 and error_code(right) == "SECOND_FACTOR_LOCKED"
    assert POLICY.customer_center_phone in right.json()["error"]["message"]
    assert api.issue(token, "604827", second_factor=False).status_code in (403, 423)


def test_wrong_account_passwords_count_down(api):
    person = api.new_person(name="박서준")
    token = api.verify(person)
    left = [api.second_factor(token, "0000").json()["error"]["remaining_attempts"] for _ in range(2)]
    assert left == [POLICY.second_factor_lock_threshold - 1, POLICY.second_factor_lock_threshold - 2]
    assert api.second_factor(token, person.account_password).json() == {"verified": True}


def _notices(api, person):
    return [m["text"] for m in api.texts(person) if m.get("kind") == "notice"]


def test_reissue_and_renewal_text_the_customer_a_notice(api):
    person = api.new_person(name="최지우")
    token = api.verify(person)
    first = api.issue(token, "482915").json()["certificate"]
    reissued = api.issue(token, "604827")
    assert reissued.status_code == 201 and reissued.json()["reissued"] is True
    notices = _notices(api, person)
    assert any("재발급" in text and f"고객센터({POLICY.customer_center_phone})" in text and "본인이 아니면" in text
               for text in notices), notices
    api.move_clock(3 * 365.25 - 5)
    try:
        token = api.verify(person)
        serial = api.status(token)["current"]["serial"]
        assert serial != first["serial"]
        renewed = api.call("POST", f"/v1/certificates/{serial}/renew", token=token, json={"pin": "604827"})
        assert renewed.status_code == 201, renewed.text
        assert any("갱신" in text and "본인이 아니면" in text for text in _notices(api, person))
    finally:
        api.move_clock(0)
    # The notices reach the conversation that caused them, and no other one.
    other = api.new_person(name="구경꾼")
    assert _notices(api, other) == []

"""Identity verification: sms, ars, branch, expiry, attempts, tokens."""
import pytest

from tests.backend.conftest import Api


def test_sms_code_goes_to_the_inbox_never_to_the_api_response(api: Api):
    person = api.new_person()
    started = api.start_sms(person)
    assert started["masked_phone"] == f"010-****-{person.phone[-4:]}"
    assert started["code_length"] == 6
    code = api.sms_code(person)
    assert code not in str(started)


def test_correct_code_gives_a_ten_minute_token_for_one_customer(api: Api):
    person = api.new_person()
    token = api.verify(person)
    status = api.status(token)
    assert status["customer"]["name"] == person.name
    assert status["current"] is None and status["certificates"] == []
    api.move_clock(11 / (24 * 60))
    reply = api.call("GET", "/v1/certificates", token=token)
    assert reply.status_code == 401 and reply.json()["error"]["code"] == "VERIFICATION_EXPIRED"


def test_wrong_code_counts_down_then_the_code_is_dead(api: Api):
    person = api.new_person()
    vid = api.start_sms(person)["verification_id"]
    code = api.sms_code(person)
    wrong = "000000" if code != "000000" else "111111"
    remaining = []
    for _ in range(5):
        reply = api.call("POST", f"/v1/verifications/{vid}/confirm", json={"code": wrong})
        assert reply.status_code == 400 and reply.json()["error"]["code"] == "VERIFICATION_FAILED"
        remaining.append(reply.json()["error"]["remaining_attempts"])
    assert remaining == [4, 3, 2, 1, 0]
    assert "다시 받아" in reply.json()["error"]["message"]
    # Even the right code no longer works after five failures.
    reply = api.call("POST", f"/v1/verifications/{vid}/confirm", json={"code": code})
    assert reply.status_code == 400 and reply.json()["error"]["remaining_attempts"] == 0


def test_code_expires_after_three_minutes(api: Api):
    person = api.new_person()
    vid = api.start_sms(person)["verification_id"]
    code = api.sms_code(person)
    api.move_clock(181 / 86400)
    reply = api.call("POST", f"/v1/verifications/{vid}/confirm", json={"code": code})
    assert reply.status_code == 400 and reply.json()["error"]["code"] == "VERIFICATION_EXPIRED"


def test_a_code_is_single_use(api: Api):
    person = api.new_person()
    vid = api.start_sms(person)["verification_id"]
    code = api.sms_code(person)
    assert api.call("POST", f"/v1/verifications/{vid}/confirm", json={"code": code}).status_code == 200
    again = api.call("POST", f"/v1/verifications/{vid}/confirm", json={"code": code})
    assert again.status_code == 404


def test_ars_shows_digits_that_only_the_phone_can_confirm(api: Api):
    person = api.new_person()
    started = api.start(person, "ars")
    digits, vid = started["ars_digits"], started["verification_id"]
    assert len(digits) == 2 and digits.isdigit() and "ars_number" not in started
    confirm = f"/v1/verifications/{vid}/confirm"
    pending = api.call("POST", confirm, json={})
    assert pending.status_code == 409 and pending.json()["error"]["code"] == "ARS_PENDING"
    # The chat's caller typing the digits proves nothing: still pending.
    assert api.call("POST", confirm, json={"code": digits}).json()["error"]["code"] == "ARS_PENDING"
    call = next(m for m in api.inbox(person) if m["kind"] == "ars_call")
    assert call["phone"] == person.masked_phone and call["call"]["state"] == "ringing"
    assert call["call"]["digits_length"] == 2
    keys = f"/demo/phone/calls/{call['call']['call_id']}/keys"
    assert api.call("POST", keys, json={"digits": digits}).status_code == 401  # channel token: not the phone
    wrong = "00" if digits != "00" else "11"
    refused = api.phone("POST", keys, json={"digits": wrong})
    assert refused.status_code == 400 and refused.json()["error"]["remaining_attempts"] == 4
    assert api.phone("POST", keys, json={"digits": digits}).json() == {"state": "confirmed"}
    assert next(m for m in api.inbox(person) if m["kind"] == "ars_call")["call"]["state"] == "confirmed"
    confirmed = api.call("POST", confirm, json={})
    assert confirmed.status_code == 200 and confirmed.json()["verification_token"]


def test_ars_call_fails_after_too_many_wrong_digits(api: Api):
    person = api.new_person()
    started = api.start(person, "ars")
    call_id = next(m for m in api.inbox(person) if m["kind"] == "ars_call")["call"]["call_id"]
    wrong = "00" if started["ars_digits"] != "00" else "11"
    for _ in range(5):
        api.phone("POST", f"/demo/phone/calls/{call_id}/keys", json={"digits": wrong})
    right = api.phone("POST", f"/demo/phone/calls/{call_id}/keys", json={"digits": started["ars_digits"]})
    assert right.status_code == 400 and right.json()["error"]["remaining_attempts"] == 0
    failed = api.call("POST", f"/v1/verifications/{started['verification_id']}/confirm", json={})
    assert failed.status_code == 400 and failed.json()["error"]["code"] == "VERIFICATION_FAILED"
    assert next(m for m in api.inbox(person) if m["kind"] == "ars_call")["call"]["state"] == "failed"


def test_branch_is_not_possible_online_and_says_what_to_bring(api: Api):
    reply = api.call("POST", "/v1/verifications", json={"method": "branch"})
    assert reply.status_code == 200
    assert reply.json()["online"] is False and "신분증" in reply.json()["guidance"]


def test_same_identity_in_other_formats_is_the_same_customer(api: Api):
    person = api.new_person(birth_date="1988-04-12")
    token = api.verify(person)
    assert api.issue(token).status_code == 201
    same = type(person)(person.name, "880412", person.phone.replace("-", " "))
    assert api.status(api.verify(same))["current"] is not None


@pytest.mark.parametrize("field,value,message", [
    ("name", "김", "이름"), ("name", "<script>", "이름"),
    ("birth_date", "19901345", "생년월일"), ("birth_date", "2999-01-01", "생년월일"),
    ("phone", "02-123-4567", "휴대폰"), ("phone", "010-12", "휴대폰"),
])
def test_bad_identity_fields_get_a_korean_validation_message(api: Api, field, value, message):
    body = {"method": "sms", "name": "홍길동", "birth_date": "1990-01-01", "phone": "010-1234-5678", field: value}
    reply = api.call("POST", "/v1/verifications", json=body)
    assert reply.status_code == 400
    error = reply.json()["error"]
    assert error["code"] == "VALIDATION" and error["field"] == field and message in error["message"]


def test_unknown_method_is_a_validation_error(api: Api):
    reply = api.call("POST", "/v1/verifications", json={"method": "email"})
    assert reply.status_code == 400 and reply.json()["error"]["field"] == "method"

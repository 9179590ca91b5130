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


def test_ars_shows_two_digits_to_key_in(api: Api):
    person = api.new_person()
    reply = api.call("POST", "/v1/verifications", json={
        "method": "ars", "name": person.name, "birth_date": person.birth_date, "phone": person.phone})
    assert reply.status_code == 201
    digits = reply.json()["ars_number"]
    assert len(digits) == 2 and digits.isdigit()
    confirmed = api.call("POST", f"/v1/verifications/{reply.json()['verification_id']}/confirm",
                         json={"code": digits})
    assert confirmed.status_code == 200 and confirmed.json()["verification_token"]


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

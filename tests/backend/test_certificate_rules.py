"""Domain rules over HTTP: issue, reissue, status, renewal window, PIN, lock, devices, revoke."""
from datetime import date, datetime

import pytest

from certpolicy import load_policy
from tests.backend.conftest import Api

POLICY = load_policy()
YEAR = 365.25


def _issued(api: Api, pin: str = "482915"):
    person = api.new_person()
    token = api.verify(person)
    reply = api.issue(token, pin)
    assert reply.status_code == 201, reply.text
    return person, token, reply.json()["certificate"]


def _expiry(view) -> datetime:
    return datetime.fromisoformat(view["not_after"])


def test_issue_gives_an_active_three_year_certificate(api: Api):
    _, token, cert = _issued(api)
    assert cert["state"] == "active"
    start, end = datetime.fromisoformat(cert["not_before"]), _expiry(cert)
    assert end.year - start.year == POLICY.validity_years and (end.month, end.day) == (start.month, start.day)
    assert cert["days_left"] > 365 * 3 - 2
    assert api.status(token)["current"]["serial"] == cert["serial"]


@pytest.mark.parametrize("pin,rule", [
    ("111111", "repeated"), ("123456", "sequential"), ("987654", "sequential"),
    ("880412", "birth_date"), ("904120", "birth_date"), ("12345", None), ("12a456", None),
])
def test_pin_rules_on_issue(api: Api, pin, rule):
    token = api.verify(api.new_person(birth_date="1988-04-12"))
    reply = api.issue(token, pin)
    assert reply.status_code == 400
    error = reply.json()["error"]
    if rule:
        assert error["code"] == "PIN_POLICY" and error["rule"] == rule
    else:  # wrong shape is rejected before the rules: not 6 digits
        assert error["code"] == "VALIDATION" and error["field"] == "pin"
    assert api.status(token)["certificates"] == []


def test_issuing_again_is_a_reissue_that_revokes_the_old_certificate(api: Api):
    _, token, first = _issued(api)
    reply = api.issue(token, "604827")
    assert reply.status_code == 201
    assert reply.json()["reissued"] is True and reply.json()["replaced_serials"] == [first["serial"]]
    states = {c["serial"]: c["state"] for c in api.status(token)["certificates"]}
    assert states == {first["serial"]: "revoked", reply.json()["certificate"]["serial"]: "active"}


def test_too_early_renewal_says_when_it_opens(api: Api):
    _, token, cert = _issued(api)
    reply = api.call("POST", f"/v1/certificates/{cert['serial']}/renew", token=token, json={"pin": "482915"})
    assert reply.status_code == 409
    error = reply.json()["error"]
    assert error["code"] == "RENEWAL_NOT_OPEN"
    opens = date.fromisoformat(error["renewal_opens_on"])
    assert (date.fromisoformat(cert["expires_on"]) - opens).days == POLICY.renewal_window_days
    assert error["renewal_opens_on"] in error["message"]
    assert error["days_until_open"] == cert["days_left"] - POLICY.renewal_window_days


def test_renewal_inside_the_window_extends_from_the_old_expiry(api: Api):
    person, _, cert = _issued(api)
    api.move_clock(3 * YEAR - 10)
    token = api.verify(person)
    current = api.status(token)["current"]
    assert current["state"] == "expiring" and 8 <= current["days_left"] <= 11
    reply = api.call("POST", f"/v1/certificates/{cert['serial']}/renew", token=token, json={"pin": "482915"})
    assert reply.status_code == 201, reply.text
    new = reply.json()["certificate"]
    old_end, new_end = _expiry(cert), _expiry(new)
    assert new_end.year == old_end.year + POLICY.validity_years and (new_end.month, new_end.day) == (
        old_end.month, old_end.day)
    states = {c["serial"]: c["state"] for c in api.status(token)["certificates"]}
    assert states == {cert["serial"]: "superseded", new["serial"]: "active"}


def test_renewal_opens_exactly_at_the_window(api: Api):
    person, _, cert = _issued(api)
    api.move_clock(3 * YEAR - POLICY.renewal_window_days - 2)
    token = api.verify(person)
    early = api.call("POST", f"/v1/certificates/{cert['serial']}/renew", token=token, json={"pin": "482915"})
    assert early.json()["error"]["code"] == "RENEWAL_NOT_OPEN"
    api.move_clock(3 * YEAR - POLICY.renewal_window_days + 1)
    token = api.verify(person)
    assert api.call("POST", f"/v1/certificates/{cert['serial']}/renew", token=token,
                    json={"pin": "482915"}).status_code == 201


def test_expired_certificate_cannot_be_renewed_but_can_be_reissued(api: Api):
    person, _, cert = _issued(api)
    api.move_clock(3 * YEAR + 2)
    token = api.verify(person)
    assert api.status(token)["current"]["state"] == "expired"
    reply = api.call("POST", f"/v1/certificates/{cert['serial']}/renew", token=token, json={"pin": "482915"})
    assert reply.status_code == 409
    assert reply.json()["error"]["code"] == "CERT_EXPIRED" and "재발급" in reply.json()["error"]["message"]
    reissued = api.issue(token, "604827")
    assert reissued.status_code == 201 and reissued.json()["certificate"]["state"] == "active"


def test_wrong_pins_count_down_lock_and_only_reissue_unlocks(api: Api):
    person, token, cert = _issued(api)
    renew_path = f"/v1/certificates/{cert['serial']}/sign"
    left = []
    for _ in range(POLICY.pin_lock_threshold - 1):
        reply = api.call("POST", renew_path, token=token, json={"pin": "000001", "challenge": "x"})
        assert reply.status_code == 403 and reply.json()["error"]["code"] == "PIN_INVALID"
        left.append(reply.json()["error"]["remaining_tries"])
        assert f"{left[-1]}번" in reply.json()["error"]["message"]
    assert left == list(range(POLICY.pin_lock_threshold - 1, 0, -1))
    last = api.call("POST", renew_path, token=token, json={"pin": "000001", "challenge": "x"})
    assert last.status_code == 409 and last.json()["error"]["code"] == "CERT_LOCKED"
    # Locked: even the right PIN is refused, and status shows it.
    right = api.call("POST", renew_path, token=token, json={"pin": "482915", "challenge": "x"})
    assert right.json()["error"]["code"] == "CERT_LOCKED"
    assert api.status(token)["current"]["state"] == "locked"
    api.move_clock(3 * YEAR - 5)
    token = api.verify(person)
    renew = api.call("POST", f"/v1/certificates/{cert['serial']}/renew", token=token, json={"pin": "482915"})
    assert renew.json()["error"]["code"] == "CERT_LOCKED" and "재발급" in renew.json()["error"]["message"]
    assert api.issue(token, "604827").status_code == 201
    assert api.status(token)["current"]["state"] == "active"


def test_a_right_pin_resets_the_failure_count(api: Api):
    _, token, cert = _issued(api)
    path = f"/v1/certificates/{cert['serial']}/sign"
    api.call("POST", path, token=token, json={"pin": "000001", "challenge": "x"})
    assert api.call("POST", path, token=token, json={"pin": "482915", "challenge": "x"}).status_code == 200
    reply = api.call("POST", path, token=token, json={"pin": "000001", "challenge": "x"})
    assert reply.json()["error"]["remaining_tries"] == POLICY.pin_lock_threshold - 1


def test_change_pin_needs_the_current_pin_and_applies_the_rules(api: Api):
    _, token, cert = _issued(api)
    path = f"/v1/certificates/{cert['serial']}/pin"
    wrong = api.call("POST", path, token=token, json={"current_pin": "000001", "new_pin": "604827"})
    assert wrong.json()["error"]["code"] == "PIN_INVALID"
    weak = api.call("POST", path, token=token, json={"current_pin": "482915", "new_pin": "222222"})
    assert weak.json()["error"]["code"] == "PIN_POLICY"
    same = api.call("POST", path, token=token, json={"current_pin": "482915", "new_pin": "482915"})
    assert same.json()["error"]["rule"] == "same_as_current"
    assert api.call("POST", path, token=token, json={"current_pin": "482915", "new_pin": "604827"}).ok
    sign = f"/v1/certificates/{cert['serial']}/sign"
    assert api.call("POST", sign, token=token, json={"pin": "604827", "challenge": "x"}).status_code == 200
    assert api.call("POST", sign, token=token, json={"pin": "482915", "challenge": "x"}).status_code == 403


def test_devices_connect_list_limit_and_disconnect(api: Api):
    _, token, cert = _issued(api)
    path = f"/v1/certificates/{cert['serial']}/devices"
    no_pin = api.call("POST", path, token=token, json={"pin": "000001", "name": "내 노트북"})
    assert no_pin.json()["error"]["code"] == "PIN_INVALID"
    ids = []
    for n in range(POLICY.max_devices):
        reply = api.call("POST", path, token=token, json={"pin": "482915", "name": f"기기 {n}"})
        assert reply.status_code == 201, reply.text
        ids.append(reply.json()["device"]["id"])
    duplicate = api.call("POST", path, token=token, json={"pin": "482915", "name": "기기 0"})
    assert duplicate.json()["error"]["code"] == "DEVICE_EXISTS"
    full = api.call("POST", path, token=token, json={"pin": "482915", "name": "하나 더"})
    assert full.status_code == 409 and full.json()["error"]["code"] == "DEVICE_LIMIT"
    assert f"{POLICY.max_devices}대" in full.json()["error"]["message"]
    listed = api.call("GET", path, token=token).json()
    assert [d["name"] for d in listed["devices"]] == [f"기기 {n}" for n in range(POLICY.max_devices)]
    assert api.call("DELETE", f"{path}/{ids[0]}", token=token).json()["disconnected"]["name"] == "기기 0"
    assert api.call("DELETE", f"{path}/{ids[0]}", token=token).status_code == 404
    assert api.call("POST", path, token=token, json={"pin": "482915", "name": "하나 더"}).status_code == 201
    assert len(api.status(token)["current"]["devices"]) == POLICY.max_devices


def test_devices_follow_the_certificate_when_it_is_renewed(api: Api):
    person, token, cert = _issued(api)
    api.call("POST", f"/v1/certificates/{cert['serial']}/devices", token=token,
             json={"pin": "482915", "name": "태블릿"})
    api.move_clock(3 * YEAR - 3)
    token = api.verify(person)
    new = api.call("POST", f"/v1/certificates/{cert['serial']}/renew", token=token, json={"pin": "482915"})
    assert [d["name"] for d in new.json()["certificate"]["devices"]] == ["태블릿"]


def test_revoke_needs_the_pin_and_is_final(api: Api):
    _, token, cert = _issued(api)
    path = f"/v1/certificates/{cert['serial']}/revoke"
    assert api.call("POST", path, token=token, json={"pin": "000001"}).status_code == 403
    reply = api.call("POST", path, token=token, json={"pin": "482915"})
    assert reply.status_code == 200 and reply.json()["state"] == "revoked"
    assert api.status(token)["current"] is None
    again = api.call("POST", path, token=token, json={"pin": "482915"})
    assert again.status_code == 409 and again.json()["error"]["code"] == "CERT_NOT_ACTIVE"


def test_one_customer_cannot_touch_another_customers_certificate(api: Api):
    _, _, cert = _issued(api)
    stranger = api.verify(api.new_person(name="김철수"))
    for method, suffix, body in [("POST", "/renew", {"pin": "482915"}), ("POST", "/revoke", {"pin": "482915"}),
                                 ("GET", "/devices", None)]:
        reply = api.call(method, f"/v1/certificates/{cert['serial']}{suffix}", token=stranger, json=body)
        assert reply.status_code == 404, suffix


def test_every_state_change_is_in_the_audit_log_without_secrets(api: Api):
    person, token, cert = _issued(api, pin="604827")
    api.call("POST", f"/v1/certificates/{cert['serial']}/sign", token=token, json={"pin": "000001", "challenge": "x"})
    events = api.call("GET", "/v1/audit?limit=20").json()["events"]
    mine = [e for e in events if e["serial"] == cert["serial"]]
    assert [e["action"] for e in mine][:3] == ["pin_failed", "notice_sent", "certificate_issued"]
    text = str(events)
    for secret in ("604827", "000001", person.phone, person.phone.replace("-", ""), "1988-04-12", token):
        assert secret not in text

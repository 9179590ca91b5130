"""Auth, bad input, idempotency, concurrency and secrets kept out of storage and logs."""
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.backend.conftest import Api
from launcher.processes import start_backend, stop

YEAR = 365.25


def test_requests_without_the_bearer_token_are_refused(backend):
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {backend.token}"}):
        reply = requests.post(f"{backend.url}/v1/verifications", json={"method": "branch"}, headers=headers)
        assert reply.status_code == 401 and reply.json()["error"]["code"] == "UNAUTHORIZED"
    assert requests.get(f"{backend.url}/demo/phone/inbox").status_code == 401


def test_public_endpoints_need_no_token(backend):
    assert requests.get(f"{backend.url}/health").json()["status"] == "ok"
    document = requests.get(f"{backend.url}/openapi.json").json()
    assert document["openapi"].startswith("3.") and "/v1/certificates/{serial}/renew" in document["paths"]
    assert requests.get(f"{backend.url}/v1/ca/crl").status_code == 200


def test_verified_routes_need_a_verification_token(api: Api):
    reply = api.call("GET", "/v1/certificates")
    assert reply.status_code == 401 and reply.json()["error"]["code"] == "VERIFICATION_REQUIRED"
    reply = api.call("GET", "/v1/certificates", token="made-up")
    assert reply.json()["error"]["code"] == "VERIFICATION_REQUIRED"


@pytest.mark.parametrize("body", ["{not json", "[1, 2]", '"text"', "null", '{"pin": 482915}',
                                  '{"pin": ["4","8"]}', '{"pin": "４８２９１５"}'])
def test_malformed_bodies_are_4xx_with_a_korean_message(api: Api, body):
    token = api.verify(api.new_person())
    reply = api.call("POST", "/v1/certificates", token=token, data=body.encode(),
                     headers={"Content-Type": "application/json"})
    assert reply.status_code == 400 and reply.json()["error"]["code"] == "VALIDATION"
    assert any("가" <= ch <= "힣" for ch in reply.json()["error"]["message"])


def test_oversized_bodies_are_refused(api: Api):
    reply = api.call("POST", "/v1/verifications", data=b'{"method": "' + b"x" * 40000 + b'"}',
                     headers={"Content-Type": "application/json"})
    assert reply.status_code == 413 and reply.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"


@pytest.mark.parametrize("path", ["/v1/certificates/zz/renew", "/v1/certificates/" + "a" * 65 + "/renew"])
def test_bad_serials_are_validation_errors(api: Api, path):
    reply = api.call("POST", path, json={"pin": "482915"})
    assert reply.status_code == 400 and reply.json()["error"]["field"] == "serial"


def test_unknown_routes_and_methods_are_json_4xx(api: Api):
    assert api.call("GET", "/nope").json()["error"]["code"] == "NOT_FOUND"
    reply = api.call("PUT", "/v1/certificates")
    assert reply.status_code == 405 and reply.json()["error"]["code"] == "METHOD_NOT_ALLOWED"


def test_a_retried_issue_returns_the_first_certificate(api: Api):
    token = api.verify(api.new_person())
    first = api.issue(token, idempotency_key="issue-1")
    again = api.issue(token, idempotency_key="issue-1")
    assert first.status_code == again.status_code == 201
    assert first.json()["certificate"]["serial"] == again.json()["certificate"]["serial"]
    assert len(api.status(token)["certificates"]) == 1
    # The key is no PIN oracle: a retry with another PIN is a counted wrong PIN, not "reused key".
    changed = api.issue(token, pin="604827", idempotency_key="issue-1", second_factor=False)
    assert changed.status_code == 403 and changed.json()["error"]["code"] == "PIN_INVALID"


def test_a_failed_request_does_not_burn_its_idempotency_key(api: Api):
    token = api.verify(api.new_person())
    assert api.issue(token, pin="111111", idempotency_key="k").status_code == 400
    assert api.issue(token, pin="111111", idempotency_key="k",
                     second_factor=False).json()["error"]["code"] == "PIN_POLICY"


def _renewable(api: Api):
    person = api.new_person()
    serial = api.issue(api.verify(person)).json()["certificate"]["serial"]
    api.move_clock(3 * YEAR - 7)
    return api.verify(person), serial


def test_parallel_renewals_of_one_certificate_make_exactly_one_new_certificate(api: Api):
    token, serial = _renewable(api)

    def renew(n):
        return api.call("POST", f"/v1/certificates/{serial}/renew", token=token,
                        idempotency_key=f"parallel-{n}", json={"pin": "482915"})

    with ThreadPoolExecutor(max_workers=8) as pool:
        replies = list(pool.map(renew, range(8)))
    codes = sorted(r.status_code for r in replies)
    assert codes.count(201) == 1 and all(c == 409 for c in codes if c != 201), codes
    certificates = api.status(token)["certificates"]
    assert sorted(c["state"] for c in certificates) == ["active", "superseded"]


def test_parallel_retries_with_one_idempotency_key_make_one_certificate(api: Api):
    token, serial = _renewable(api)

    def renew(_):
        return api.call("POST", f"/v1/certificates/{serial}/renew", token=token,
                        idempotency_key="same-key", json={"pin": "482915"})

    with ThreadPoolExecutor(max_workers=6) as pool:
        replies = list(pool.map(renew, range(6)))
    serials = {r.json()["certificate"]["serial"] for r in replies if r.status_code == 201}
    assert len(serials) == 1
    assert all(r.status_code in (201, 409) for r in replies)
    assert len(api.status(token)["certificates"]) == 2


def test_no_secret_reaches_the_database_or_the_log(api: Api, backend):
    person = api.new_person(name="비밀테스트", birth_date="1979-06-21")
    started = api.start_sms(person)
    code = api.sms_code(person)
    api.call("POST", f"/v1/verifications/{started['verification_id']}/confirm", json={"code": code})
    token = api.verify(person)
    api.issue(token, pin="604827")
    api.issue(token, pin="000002")  # rejected: contains nothing secret-looking but must not be stored either
    database = b"".join(p.read_bytes() for p in backend.data_dir.glob("certbackend.sqlite3*"))
    log = backend.log.read_bytes()
    digits = person.phone.replace("-", "")
    for secret in (code, "604827", digits, person.phone, "1979-06-21", "790621", token):
        assert secret.encode() not in database, secret
        assert secret.encode() not in log, secret


def test_outside_demo_mode_there_is_no_inbox_and_no_clock(tmp_path):
    server = start_backend(tmp_path / "prod", demo=False)
    try:
        for method, path in (("GET", "/demo/phone/inbox"), ("POST", "/demo/clock"), ("GET", "/demo/customers"),
                             ("POST", "/demo/accounts"), ("GET", "/demo/sms-inbox")):
            reply = requests.request(method, server.url + path, headers=server.headers, json={})
            assert reply.status_code in (401, 404), path  # no such route (phone paths: no phone credential)
            assert reply.status_code == 404 or path.startswith("/demo/phone/")
        started = requests.post(f"{server.url}/v1/verifications", headers=server.headers, json={
            "method": "sms", "name": "홍길동", "birth_date": "1990-01-01", "phone": "010-1234-5678"})
        assert started.status_code == 201 and "code" not in started.json()
    finally:
        stop(server.process)

"""Finding 7 (backend half): nothing bounded verification starts or failures.

The attacker is any visitor of the chat (or anyone holding the action server's credential): they
start verification after verification for one victim, guessing codes round after round, and every
round texts the victim's phone. The backend now keeps quotas per identity and per phone number in
its database (shared by every backend process) and answers 429 TOO_MANY_REQUESTS in Korean.
"""
import pytest

from certpolicy import load_policy
from launcher.processes import start_backend, stop
from tests.backend.attack import AttackApi, error_code, finish, fresh_backend
from tests.backend.conftest import Person

POLICY = load_policy()
PER_HOUR = POLICY.verification_starts_per_identity_per_hour


@pytest.fixture(scope="module")
def api():
    backend = fresh_backend("quotas")
    yield AttackApi(backend)
    finish(backend)


def _start(api, person, method="sms"):
    return api.call("POST", "/v1/verifications", json={"method": method, **person.identity,
                                                       "channel_ref": person.channel_ref})


def _assert_quota_message(reply):
    assert reply.status_code == 429 and error_code(reply) == "TOO_MANY_REQUESTS", reply.text
    error = reply.json()["error"]
    assert "너무 많아요" in error["message"] and "다시 시도해 주세요" in error["message"]
    assert 0 < error["retry_after_seconds"] <= 24 * 3600


def test_one_identity_gets_only_a_few_verification_rounds_an_hour(api):
    victim = api.new_person()
    replies = [_start(api, victim, "sms" if n % 2 else "ars") for n in range(PER_HOUR + 3)]
    assert [r.status_code for r in replies[:PER_HOUR]] == [201] * PER_HOUR
    for reply in replies[PER_HOUR:]:
        _assert_quota_message(reply)
    # The victim's phone rang or got a text only for the allowed rounds.
    assert len(api.texts(victim)) == PER_HOUR


def test_one_phone_number_is_bounded_whatever_name_is_tried(api):
    phone = api.new_person().phone
    names = ["가나다", "나다라", "다라마", "라마바", "마바사", "바사아", "사아자", "아자차"]
    replies = [_start(api, Person(name, "1990-01-01", phone)) for name in names]
    allowed = POLICY.verification_starts_per_phone_per_hour
    assert [r.status_code for r in replies[:allowed]] == [201] * allowed
    for reply in replies[allowed:]:
        _assert_quota_message(reply)


def test_wrong_codes_across_rounds_are_bounded_per_identity_and_day(api):
    victim = api.new_person(name="강민호")
    failures = 0
    while failures < POLICY.verification_failures_per_identity_per_day:
        started = _start(api, victim)
        assert started.status_code == 201, started.text
        confirm = f"/v1/verifications/{started.json()['verification_id']}/confirm"
        for _ in range(POLICY.sms_max_attempts):
            if failures == POLICY.verification_failures_per_identity_per_day:
                break
            code = api.sms_code(victim)
            wrong = f"{(int(code) + 1) % 1_000_000:06d}"
            assert error_code(api.call("POST", confirm, json={"code": wrong})) == "VERIFICATION_FAILED"
            failures += 1
    _assert_quota_message(_start(api, victim))


def test_quotas_hold_across_backend_processes(tmp_path):
    """Two backend processes on one database (a cluster): the count is shared."""
    first = start_backend(tmp_path / "shared")
    second = start_backend(tmp_path / "shared", log=tmp_path / "second.log")
    try:
        apis = [AttackApi(first), AttackApi(second)]
        victim = apis[0].new_person(name="공유진")
        replies = [_start(apis[n % 2], victim) for n in range(PER_HOUR + 2)]
        assert [r.status_code for r in replies] == [201] * PER_HOUR + [429, 429]
    finally:
        stop(first.process, second.process)

"""The same flows against the real certificate backend (subprocess, temporary database)."""

import pytest

from actions import task_slots as s
from actions.task_slots import CERTIFICATE_SLOTS
from actions.backend_client import BackendClient, BackendConfig
from launcher.processes import start_backend, stop
from certpolicy.validators import mask_mobile, normalize_mobile, spoken_digits
from tests.flows.harness import Conversation

DEMO_PIN = "135790"
CUSTOMERS = {  # the seeded demo customers (README), typed the ways customers type them
    "renewable": ("김민준", "19850315", "010-1111-2222"),
    "too_early": ("이서윤 고객이에요", "1990-07-07", "01022223333"),
    "expired": ("박지훈", "781130", "010 3333 4444"),
    "locked": ("최유나", "1995.1.20", "010-4444-5555"),
    "new": ("정하늘", "2000년 5월 5일 생이에요", "공일공 오오오오 육육육육"),
}
ACCOUNT_PASSWORDS = {"locked": "3691", "new": "7410"}  # the demo customers' 계좌 비밀번호 (README)


@pytest.fixture(scope="module")
def backend(tmp_path_factory):
    server = start_backend(tmp_path_factory.mktemp("flows-backend"))
    yield server
    stop(server.process)


@pytest.fixture
def client(backend):
    return BackendClient(BackendConfig(url=backend.url, token=backend.token, timeout=10))


def verify(chat, backend, who, task):
    name, born, phone = CUSTOMERS[who]
    chat.start(task)
    for answer in ("문자", name, born, phone):
        chat.say(answer)
    assert chat.asking == s.VERIFICATION_CODE, chat.said[-3:]
    chat.say(backend.latest_sms_code(mask_mobile(normalize_mobile(spoken_digits(phone))), sender_id=chat.sender))
    return chat


def said(chat, name):
    return [m for m in chat.said if m.get("response") == name]


def test_renewal_of_the_renewable_customer(backend, client):
    chat = verify(Conversation(client), backend, "renewable", "renew_certificate")
    assert said(chat, "utter_renew_in_window") and chat.asking == s.TASK_CONFIRM
    new_expiry = chat.slots[s.NEW_EXPIRES_ON]
    chat.say("네", intent="affirm")
    assert chat.asking == s.CURRENT_PIN
    # A wrong PIN is refused by the renewal itself (its idempotency key is released), counted, and the PIN
    # asked again; the right one then renews under the same key.
    chat.say("000001")
    assert "4번 더" in chat.said[-1]["text"] and chat.asking == s.CURRENT_PIN
    chat.say(DEMO_PIN)
    assert said(chat, "utter_renew_done")[0]["new_expires_on"] == new_expiry
    status = Conversation(client)
    status.slots.update({k: chat.slots[k] for k in (s.VERIFICATION_TOKEN, s.TOKEN_EXPIRES_AT, s.BIRTH_DATE)})
    status.start("check_certificate")
    summary = said(status, "utter_status_summary")[0]
    assert new_expiry in summary["status_lines"] and summary["cert_state_word"] == "사용 중"


def test_an_expired_certificate_can_be_revoked(tmp_path):
    """The revocation flow lets an expired certificate be revoked. Before session 9 the PIN was checked
    first with a signature, which the backend refuses for an expired certificate, so the customer never
    reached the revocation; now the PIN goes to the revocation itself, which takes an expired one.
    Its own backend: the module's demo customers stay as the other tests expect them."""
    own = start_backend(tmp_path)
    try:
        chat = verify(Conversation(BackendClient(BackendConfig(url=own.url, token=own.token, timeout=10))),
                      own, "expired", "revoke_certificate")
        assert chat.asking == s.TASK_CONFIRM
        chat.say("네", intent="affirm")
        assert chat.asking == s.CURRENT_PIN
        chat.say(DEMO_PIN)
        assert said(chat, "utter_revoke_done") and not chat.form_active
    finally:
        stop(own.process)


@pytest.mark.parametrize("who,response", [("too_early", "utter_renew_not_open"), ("expired", "utter_task_cert_expired"),
                                          ("locked", "utter_task_cert_locked"), ("new", "utter_task_no_certificate")])
def test_renewal_branches_for_each_demo_customer(backend, client, who, response):
    chat = verify(Conversation(client), backend, who, "renew_certificate")
    assert said(chat, response) and not chat.form_active


def test_issuance_for_a_customer_without_a_certificate(backend, client):
    chat = verify(Conversation(client), backend, "new", "issue_certificate")
    assert chat.asking == s.ACCOUNT_PASSWORD
    chat.say("0000")
    assert chat.asking == s.ACCOUNT_PASSWORD  # wrong: asked again with the tries left
    chat.say(ACCOUNT_PASSWORDS["new"])
    chat.say("000505")  # contains the birth MMDD (0505): refused with the rule
    assert "생년월일" in chat.said[-1]["text"]
    chat.say("246810")
    chat.say("246810")
    done = said(chat, "utter_issue_done")[0]
    assert len(done["new_serial"]) > 8


def test_locked_customer_reissues_without_verifying_again(backend, client):
    chat = verify(Conversation(client), backend, "locked", "check_certificate")
    chat.start("issue_certificate")
    assert said(chat, "utter_verified_reused") and chat.asking == s.TASK_CONFIRM
    chat.say("네", intent="affirm")
    chat.say(ACCOUNT_PASSWORDS["locked"])
    chat.say("357913")
    chat.say("357913")
    assert said(chat, "utter_reissue_done")


def test_device_connection_and_pin_change_with_the_real_backend(backend, client):
    chat = verify(Conversation(client), backend, "too_early", "copy_certificate")
    chat.say("회사 노트북")
    chat.say(DEMO_PIN)
    connected = said(chat, "utter_devices_connected")[0]
    assert "회사 노트북" in connected["device_list"]
    chat.start("change_pin")
    chat.say(DEMO_PIN)
    chat.say("864209")
    chat.say("864209")
    assert said(chat, "utter_change_pin_done")


def test_ars_is_confirmed_only_when_the_phone_keys_the_digits(backend, client):
    """The chat shows the digits and asks; the backend confirms only after the phone side keyed them."""
    import requests

    from certpolicy.channel_ref import channel_ref

    chat = Conversation(client)
    chat.start("check_certificate")
    name, born, phone = CUSTOMERS["too_early"]
    for answer in ("ARS 전화로 할게요", name, born, phone):
        chat.say(answer)
    assert chat.asking == s.ARS_WAIT and chat.slots[s.ARS_DIGITS]
    chat.say("완료")  # nothing keyed yet
    assert said(chat, "utter_ars_pending") and chat.slots[s.VERIFICATION_TOKEN] is None
    call = next(m["call"] for m in backend.phone_inbox(channel_ref(chat.sender)) if m["kind"] == "ars_call")
    keyed = requests.post(f"{backend.url}/demo/phone/calls/{call['call_id']}/keys", headers=backend.phone_headers,
                          json={"digits": chat.slots[s.ARS_DIGITS]}, timeout=5)
    assert keyed.status_code == 200, keyed.text
    chat.say("완료")
    assert chat.slots[s.VERIFICATION_TOKEN] and said(chat, "utter_status_summary") and not chat.form_active


class StatusCountingClient(BackendClient):
    def __init__(self, config: BackendConfig) -> None:
        super().__init__(config)
        self.status_requests = 0

    async def status(self, token):
        self.status_requests += 1
        return await super().status(token)


def test_the_code_step_takes_the_certificate_from_the_confirmation(backend):
    """One backend request on the code step: the confirmation's certificate status fills the same slots
    a separate GET /v1/certificates would (checked against one made afterwards)."""
    client = StatusCountingClient(BackendConfig(url=backend.url, token=backend.token, timeout=10))
    chat = verify(Conversation(client), backend, "too_early", "check_certificate")
    assert client.status_requests == 0 and said(chat, "utter_status_summary")
    looked_up = Conversation(client)  # a status check with the same token asks the backend itself
    looked_up.slots.update({k: chat.slots[k] for k in (s.VERIFICATION_TOKEN, s.TOKEN_EXPIRES_AT, s.BIRTH_DATE)})
    looked_up.start("check_certificate")
    assert client.status_requests == 1 and said(looked_up, "utter_status_summary")
    assert chat.slots[s.CERT_STATE] == "active" and chat.slots[s.CERT_SERIAL]
    assert {name: chat.slots[name] for name in CERTIFICATE_SLOTS} == {
        name: looked_up.slots[name] for name in CERTIFICATE_SLOTS}

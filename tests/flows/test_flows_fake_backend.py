"""Every flow's logic against an in-memory backend: steps, re-prompts, interruptions, outages."""
import pytest

from actions import task_slots as s
from actions.secret_vault import VAULT, bound_to
from tests.flows.fake_backend import FakeBackend
from tests.flows.harness import Conversation

IDENTITY = ["김민준", "19850315", "010-1111-2222"]


def verified(backend, task="renew_certificate", method="휴대폰 문자로 할게요"):
    chat = Conversation(backend)
    chat.start(task)
    assert chat.asking == s.VERIFY_METHOD
    for answer in [method, *IDENTITY]:
        chat.say(answer)
    if "문자" in method:
        assert chat.asking == s.VERIFICATION_CODE
        chat.say(backend.code)
    else:
        assert chat.asking == s.ARS_WAIT
        backend.press_ars_keys(backend.ars_digits)
        chat.say("완료")
    return chat


def issuing(backend, **kwargs):
    """Verified for issuance and past the second factor: at the new PIN step."""
    chat = verified(backend, task="issue_certificate", **kwargs)
    if chat.asking == s.TASK_CONFIRM:
        chat.say("네", intent="affirm")
    assert chat.asking == s.ACCOUNT_PASSWORD
    chat.say(backend.account_password)
    assert chat.asking == s.NEW_PIN
    return chat


def said(messages, name):
    return [m for m in messages if m.get("response") == name]


def test_renewal_walks_through_four_labelled_steps_and_renews_once():
    backend = FakeBackend()
    chat = Conversation(backend)
    first = chat.start("renew_certificate")
    assert Conversation.responses(first)[0] == "utter_renew_intro"
    assert chat.slots[s.STEP_LABEL] == "[1/4] 본인 확인"
    for answer in ["문자", *IDENTITY]:
        chat.say(answer)
    after_code = chat.say(backend.code)
    assert said(after_code, "utter_renew_in_window")[0]["step_label"] == "[2/4] 인증서 확인"
    assert chat.asking == s.TASK_CONFIRM and chat.slots[s.STEP_LABEL] == "[3/4] 갱신 확인"
    assert chat.slots[s.NEW_EXPIRES_ON] == "2029년 12월 5일"
    chat.say("네", intent="affirm")
    assert chat.asking == s.CURRENT_PIN and chat.slots[s.STEP_LABEL] == "[4/4] 비밀번호 입력"
    assert backend.renewals == 0  # agreeing renews nothing: the PIN does
    done = chat.say("135 790")  # typed with a space
    assert said(done, "utter_renew_done")[0]["new_expires_on"] == "2029년 12월 5일"
    assert backend.renewals == 1 and chat.asking is None and not chat.form_active
    # One backend request with the PIN, the renewal itself: no separate PIN check before it.
    assert [c[0] for c in backend.calls if c[0] in ("check_pin", "renew")] == ["renew"]
    assert chat.slots[s.TASK] is None and chat.slots[s.CURRENT_PIN] is None


def test_secrets_never_sit_in_slots_in_clear():
    backend = FakeBackend()
    chat = verified(backend, task="change_pin")
    assert chat.slots[s.VERIFICATION_CODE] == s.MASKED
    chat.say("135790")
    reference = chat.slots[s.CURRENT_PIN]
    with bound_to(chat.sender):  # entries belong to their conversation
        assert reference.startswith("secret:") and VAULT.get(reference) == "135790"
    assert VAULT.get(reference) is None  # ... and to no other
    slot_events = str([e for e in chat.events if e.get("event") == "slot"])
    assert "135790" not in slot_events and backend.code not in slot_events  # user texts: see redaction tests
    assert chat.asking == s.NEW_PIN  # the current PIN is kept until the change is submitted
    chat.say("246810")
    chat.say("246810")
    assert backend.pin == "246810" and not chat.form_active
    with bound_to(chat.sender):
        assert VAULT.get(reference) is None  # dropped when the task ended


@pytest.mark.parametrize("slot_answers,bad,response", [
    ([], "김", "utter_name_invalid"),
    (["김민준"], "1985-13-45", "utter_birth_date_invalid"),
    (["김민준", "19850315"], "02-123-4567", "utter_mobile_invalid"),
])
def test_wrong_identity_input_gets_a_specific_reprompt(slot_answers, bad, response):
    chat = Conversation(FakeBackend())
    chat.start("check_certificate")
    chat.say("문자")
    for answer in slot_answers:
        chat.say(answer)
    asked = chat.asking
    reply = chat.say(bad)
    assert said(reply, response) and chat.asking == asked


@pytest.mark.parametrize("written", ["900101", "19900101", "1990-01-01", "1990.1.1", "1990년 1월 1일"])
def test_birth_dates_in_every_usual_form(written):
    chat = Conversation(FakeBackend())
    chat.start("check_certificate")
    chat.say("문자")
    chat.say("홍길동")
    chat.say(written)
    assert chat.slots[s.BIRTH_DATE] == "1990-01-01" and chat.asking == s.MOBILE_NUMBER


def test_three_failures_on_one_step_offer_a_way_out():
    chat = Conversation(FakeBackend())
    chat.start("check_certificate")
    chat.say("문자")
    replies = [chat.say("모르겠어요") for _ in range(3)]
    assert not said(replies[1], "utter_task_stuck")
    stuck = said(replies[2], "utter_task_stuck")[0]
    assert [b["payload"] for b in stuck["buttons"]] == ["/cancel", "/human_handoff"]


def test_wrong_code_says_how_many_tries_remain():
    backend = FakeBackend()
    chat = Conversation(backend)
    chat.start("check_certificate")
    for answer in ["문자", *IDENTITY]:
        chat.say(answer)
    reply = chat.say("000000")
    assert "4번 더" in reply[0]["text"] and chat.asking == s.VERIFICATION_CODE


def test_ars_verification_is_confirmed_by_the_phone_side():
    backend = FakeBackend()
    chat = verified(backend, task="check_certificate", method="ARS 전화로 할게요")
    assert chat.slots[s.ARS_DIGITS] == "37"
    with bound_to(chat.sender):  # the token sits in the vault; the slot holds the reference
        assert VAULT.get(chat.slots[s.VERIFICATION_TOKEN]) == "token-1"
    confirms = [c for c in backend.calls if c[0] == "confirm_verification"]
    assert confirms and all(c[2] is None for c in confirms)  # the chat never sends the digits


def test_branch_visit_is_not_a_verification_method_and_the_method_is_asked_again():
    chat = Conversation(FakeBackend())
    chat.start("renew_certificate")
    reply = chat.say("영업점 방문할게요")
    assert said(reply, "utter_verify_branch") and chat.form_active and chat.asking == s.VERIFY_METHOD


@pytest.mark.parametrize("state,response,button", [
    ("active", "utter_renew_not_open", "/check_certificate"),
    ("expired", "utter_task_cert_expired", "/issue_certificate"),
    ("locked", "utter_task_cert_locked", "/issue_certificate"),
    ("none", "utter_task_no_certificate", "/issue_certificate"),
])
def test_renewal_branches_end_with_the_right_offer(state, response, button):
    chat = verified(FakeBackend(state=state))
    message = said(chat.said, response)[0]
    assert message["buttons"][0]["payload"] == button
    assert not chat.form_active


def test_reissue_after_expiry_skips_verification():
    backend = FakeBackend(state="expired")
    chat = verified(backend)
    calls = len([c for c in backend.calls if c[0] == "confirm_verification"])
    reply = chat.start("issue_certificate")
    assert "utter_verified_reused" in Conversation.responses(reply)
    assert chat.asking == s.TASK_CONFIRM and chat.slots[s.STEP_LABEL] == "[2/3] 재발급 확인"
    chat.say("네", intent="affirm")
    chat.say(backend.account_password)
    chat.say("246810")
    done = chat.say("246810")
    assert said(done, "utter_reissue_done")
    assert len([c for c in backend.calls if c[0] == "confirm_verification"]) == calls


def test_wrong_pin_reprompts_with_tries_left():
    chat = verified(FakeBackend())
    chat.say("네", intent="affirm")
    reply = chat.say("000001")
    assert "4번 더" in reply[0]["text"] and chat.asking == s.CURRENT_PIN
    assert chat.slots[s.TASK_CONFIRM] is True  # the agreement stands: only the PIN is asked again


@pytest.mark.parametrize("pin,problem", [("111111", "같은 숫자"), ("123456", "연속"), ("850315", "생년월일"),
                                         ("120315", "생년월일"), ("12345", "6자리")])
def test_new_pin_rules_are_explained(pin, problem):
    chat = issuing(FakeBackend(state="none"))
    reply = chat.say(pin)
    assert problem in reply[0]["text"] and chat.asking == s.NEW_PIN


def test_new_pin_typed_differently_twice_starts_the_pin_over():
    backend = FakeBackend(state="none")
    chat = issuing(backend)
    chat.say("246810")
    reply = chat.say("246811")
    assert said(reply, "utter_new_pin_mismatch") and chat.asking == s.NEW_PIN
    assert not [c for c in backend.calls if c[0] == "issue"]


def test_faq_mid_step_is_left_to_the_rules_and_the_step_is_asked_again():
    chat = verified(FakeBackend())
    asked = chat.asking
    chat.say("갱신 기간이 언제예요?", intent="faq")
    assert chat.last_rejected and chat.asking == asked


def test_digits_are_an_answer_even_when_nlu_thinks_otherwise():
    chat = verified(FakeBackend())
    chat.say("네", intent="affirm")
    reply = chat.say("135790", intent="faq")
    assert not chat.last_rejected and said(reply, "utter_renew_done")


def at_pin_step(backend):
    """A renewal agreed to, at its last step: the PIN (a step that is no yes/no question)."""
    chat = verified(backend)
    chat.say("네", intent="affirm")
    assert chat.asking == s.CURRENT_PIN
    return chat


def test_cancel_asks_first_and_no_keeps_the_step():
    backend = FakeBackend()
    chat = at_pin_step(backend)
    chat.say("취소할래요", intent="cancel")
    assert chat.asking == s.CANCEL_CONFIRM
    chat.say("아니요", intent="deny")
    assert chat.asking == s.CURRENT_PIN


def test_cancel_confirmed_leaves_nothing_half_done():
    backend = FakeBackend()
    chat = at_pin_step(backend)
    chat.say("그만할래요", intent="cancel")
    reply = chat.say("네", intent="affirm")
    assert said(reply, "utter_task_cancelled") and not chat.form_active
    assert backend.renewals == 0 and chat.slots[s.CURRENT_PIN] is None


def test_switching_task_mid_flow_asks_then_switches_keeping_verification():
    backend = FakeBackend()
    chat = verified(backend)
    chat.say("내 인증서 상태 보여줘", intent="check_certificate")
    assert chat.asking == s.SWITCH_CONFIRM
    reply = chat.say("네", intent="affirm")
    assert said(reply, "utter_status_summary") and not chat.form_active


def test_asking_for_the_running_task_again_just_continues():
    chat = at_pin_step(FakeBackend())
    reply = chat.say("갱신해 주세요", intent="renew_certificate")
    assert said(reply, "utter_task_already_running") and chat.asking == s.CURRENT_PIN


def test_outage_keeps_the_answers_and_retry_continues():
    backend = FakeBackend()
    chat = Conversation(backend)
    chat.start("renew_certificate")
    for answer in ["문자", "김민준", "19850315"]:
        chat.say(answer)
    backend.down.add("start_verification")
    chat.say("010-1111-2222")
    assert chat.asking == s.RETRY_CONFIRM and chat.slots[s.MOBILE_NUMBER] == "010-1111-2222"
    still_down = chat.say("/affirm", intent="affirm")
    assert chat.asking == s.RETRY_CONFIRM and "utter_ask_retry_confirm" not in Conversation.responses(still_down)
    backend.down.clear()
    chat.say("/affirm", intent="affirm")
    assert chat.asking == s.VERIFICATION_CODE and chat.slots[s.MASKED_PHONE] == "010-****-2222"


def test_retry_after_an_outage_at_submission_never_renews_twice():
    backend = FakeBackend()
    chat = verified(backend)
    chat.say("네", intent="affirm")
    real_renew = backend.renew

    async def renew_then_lose_the_answer(*args):
        await real_renew(*args)  # the backend renewed, but the reply never arrived
        raise __import__("actions.backend_client", fromlist=["x"]).BackendUnavailable("timeout")

    backend.renew = renew_then_lose_the_answer
    chat.say("135790")
    assert chat.asking == s.RETRY_CONFIRM
    backend.renew = real_renew
    done = chat.say("/affirm", intent="affirm")
    assert said(done, "utter_renew_done")
    keys = {c[4] for c in backend.calls if c[0] == "renew"}
    assert len(keys) == 1 and backend.renewals == 1


def test_a_submission_still_running_at_the_backend_keeps_the_place_and_the_retry_gets_its_result():
    """A retry right after an outage can meet the first request still running (the backend answers 409
    REQUEST_IN_PROGRESS for the same idempotency key). The customer keeps the PIN step's place and the
    next try returns the renewal that was made; before, the task ended with the backend's message."""
    from actions.backend_client import BackendRefused

    backend = FakeBackend()
    chat = verified(backend)
    chat.say("네", intent="affirm")
    real_renew = backend.renew

    async def still_running(*args):
        backend.calls.append(("renew", *args))
        raise BackendRefused(409, "REQUEST_IN_PROGRESS", "같은 요청을 처리하고 있어요. 잠시 후 다시 확인해 주세요.")

    backend.renew = still_running
    chat.say("135790")
    assert chat.asking == s.RETRY_CONFIRM and chat.form_active and backend.renewals == 0
    backend.renew = real_renew
    done = chat.say("/affirm", intent="affirm")
    assert said(done, "utter_renew_done") and backend.renewals == 1
    keys = {c[4] for c in backend.calls if c[0] == "renew"}
    assert len(keys) == 1  # the same idempotency key both times


def test_outage_when_starting_offers_retry():
    backend = FakeBackend()
    backend.down.add("status")
    chat = verified(FakeBackend(), task="check_certificate")  # verified earlier with a working backend
    assert not chat.form_active
    chat.client = backend
    chat.start("check_certificate")
    assert said(chat.said, "utter_backend_down_start")[0]["buttons"][0]["payload"] == "/check_certificate"


def test_device_connection_explains_connect_not_copy_and_lists_devices():
    backend = FakeBackend(state="active")
    chat = verified(backend, task="copy_certificate")
    assert "utter_devices_intro" in Conversation.responses(chat.said)
    assert chat.asking == s.DEVICE_NAME
    chat.say("새 휴대폰")
    done = chat.say("135790")
    message = said(done, "utter_devices_connected")[0]
    assert message["device_name"] == "새 휴대폰" and "1. 새 휴대폰" in message["device_list"]
    assert message["buttons"][0]["payload"].startswith('/copy_certificate{"device_id":')


def test_revocation_needs_explicit_confirmation():
    backend = FakeBackend(state="active")
    chat = verified(backend, task="revoke_certificate")
    assert chat.asking == s.TASK_CONFIRM and chat.slots[s.STEP_LABEL] == "[2/3] 폐기 확인"
    declined = chat.say("아니요", intent="deny")
    assert said(declined, "utter_task_not_done") and backend.state == "active"
    assert not [c for c in backend.calls if c[0] in ("check_pin", "revoke")]  # no PIN was asked or sent


def test_revocation_agreed_then_the_pin_revokes_in_one_request():
    backend = FakeBackend(state="active")
    chat = verified(backend, task="revoke_certificate")
    chat.say("네", intent="affirm")
    assert chat.asking == s.CURRENT_PIN and chat.slots[s.STEP_LABEL] == "[3/3] 비밀번호 입력"
    wrong = chat.say("000001")
    assert "4번 더" in wrong[0]["text"] and chat.asking == s.CURRENT_PIN and backend.state == "active"
    done = chat.say("135790")
    assert said(done, "utter_revoke_done") and not chat.form_active
    assert [c[0] for c in backend.calls if c[0] in ("check_pin", "revoke")] == ["revoke", "revoke"]


def test_pin_change_end_to_end():
    backend = FakeBackend(state="active")
    chat = verified(backend, task="change_pin")
    chat.say("135790")
    chat.say("246810")
    done = chat.say("246810")
    assert said(done, "utter_change_pin_done") and backend.pin == "246810"


def _disconnect(chat, device_id):
    from rasa_sdk import Tracker
    from rasa_sdk.executor import CollectingDispatcher

    from actions.task_actions import ActionDisconnectDevice
    import asyncio

    slots = {**chat.slots, "device_id": device_id}
    tracker = Tracker("tester", slots, {"text": "/copy_certificate", "intent": {"name": "copy_certificate"}},
                      [], False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionDisconnectDevice(chat.client).run(dispatcher, tracker, {}))
    return dispatcher.messages, events


def test_disconnect_button_removes_that_device_and_lists_the_rest():
    backend = FakeBackend(state="active")
    chat = verified(backend, task="copy_certificate")
    chat.say("새 휴대폰")
    chat.say("135790")
    chat.start("copy_certificate")  # verification reused: connect a second device
    chat.say("회사 노트북")
    chat.say("135790")
    first_id = str(backend.devices[0]["id"])
    messages, events = _disconnect(chat, first_id)
    assert messages[0]["response"] == "utter_device_disconnected" and messages[0]["device_name"] == "새 휴대폰"
    assert [d["name"] for d in backend.devices] == ["회사 노트북"]
    assert messages[0]["device_list"] == "1. 회사 노트북"


def test_disconnect_without_a_fresh_verification_asks_to_verify():
    chat = Conversation(FakeBackend(state="active"))
    messages, _ = _disconnect(chat, "3")
    assert messages[0]["response"] == "utter_disconnect_needs_verification"


def test_a_token_the_backend_no_longer_accepts_means_verifying_again():
    backend = FakeBackend()
    chat = verified(backend)
    chat.say("그만", intent="cancel")
    chat.say("네", intent="affirm")
    from actions.backend_client import BackendRefused

    async def expired(token):
        raise BackendRefused(401, "VERIFICATION_EXPIRED", "본인 확인 시간이 지났어요.")

    backend.status = expired
    chat.start("check_certificate")
    assert chat.asking == s.VERIFY_METHOD and chat.slots[s.VERIFICATION_TOKEN] is None


@pytest.mark.parametrize("text,intent,expected", [
    ("네 취소할게요", "cancel", True), ("그만할래요", "cancel", True), ("아니요 계속할게요", "deny", False),
    ("/affirm", "affirm", True), ("/deny", "deny", False), ("모르겠어요", "affirm", None), ("135790", "affirm", None),
])
def test_yes_no_reading_at_the_cancel_question(text, intent, expected):
    from actions.message_reading import read_yes_no

    assert read_yes_no(text, intent, cancelling=True) is expected


def test_i_dont_know_does_not_confirm_a_revocation():
    backend = FakeBackend(state="active")
    chat = verified(backend, task="revoke_certificate")
    reply = chat.say("모르겠어요", intent="affirm")
    assert said(reply, "utter_yes_no_invalid") and backend.state == "active" and chat.asking == s.TASK_CONFIRM


@pytest.mark.parametrize("text,name", [("김민준입니다", "김민준"), ("김민준이에요", "김민준"), ("Kim Minjun", "Kim Minjun")])
def test_names_with_a_polite_ending(text, name):
    from actions.message_reading import read_name

    assert read_name(text) == name


@pytest.mark.parametrize("text", ["안녕하세요", "감사합니다", "고마워요", "모르겠어요", "갱신기간"])
def test_small_talk_is_not_a_name(text):
    from actions.message_reading import read_name

    assert read_name(text) is None


def test_an_unknown_method_misfiled_as_cancel_gets_the_method_reprompt():
    chat = Conversation(FakeBackend())
    chat.start("renew_certificate")
    reply = chat.say("카카오톡으로요", intent="cancel")
    assert not chat.last_rejected and said(reply, "utter_verify_method_invalid")


def test_a_button_payload_is_never_a_digit_answer():
    chat = verified(FakeBackend())
    chat.say('/copy_certificate{"device_id":"3"}', intent="copy_certificate")
    assert chat.last_rejected

"""The customer's exact steps from issue 10 (items 5-9) and security finding 1 (ARS, second factor).

Each test replays what a customer typed and asserts on what the bot sends back (rendered the
way Rasa renders it, tests/flows/render.py), including the "[n/m]" step markers the widget
turns into its header.
"""
import re

import pytest

from actions import task_slots as s
from actions.secret_vault import VAULT, bound_to
from redaction.rules import redact_events
from tests.flows.fake_backend import FakeBackend
from tests.flows.harness import Conversation
from tests.flows.render import STEP_MARKER, step_marker, turn

IDENTITY = ["김민준", "19850315", "010-1111-2222"]


def token_of(chat):
    """The verification token behind the slot's vault reference (the slot never holds it in clear)."""
    with bound_to(chat.sender):
        return VAULT.get(chat.slots[s.VERIFICATION_TOKEN])


def said(messages, name):
    return [m for m in messages if m.get("response") == name]


def verify_by_sms(chat, backend):
    texts = []
    for answer in ["휴대폰 문자로 할게요", *IDENTITY, backend.code]:
        texts += turn(chat, chat.say(answer))
    return texts


# --- item 5: "비밀번호 몇 자리예요?" at a PIN step ---------------------------------------------------

def test_pin_length_question_at_the_pin_step_gets_the_pin_rules_then_the_same_step():
    backend = FakeBackend()
    chat = Conversation(backend)
    chat.start("renew_certificate")
    verify_by_sms(chat, backend)
    chat.say("네", intent="affirm")
    assert chat.asking == s.CURRENT_PIN
    label = chat.slots[s.STEP_LABEL]
    reply = chat.say("비밀번호 몇 자리예요?", intent="faq")  # NLU files it under the forgotten-PIN FAQ
    texts = turn(chat, reply)
    assert not chat.last_rejected  # not left to the FAQ rule (which answered with the forgotten-PIN text)
    assert said(reply, "utter_pin_rules_current") and "6자리" in texts[0]
    assert chat.asking == s.CURRENT_PIN and chat.slots[s.STEP_LABEL] == label
    assert step_marker(texts[-1]) == label  # the same step is asked again
    assert chat.slots[s.FAILED_COUNT] is None  # a question is not a wrong answer
    assert backend.renewals == 0
    chat.say("135790")
    assert backend.renewals == 1 and chat.asking is None


def test_pin_rules_question_when_choosing_a_new_pin_lists_the_rules():
    backend = FakeBackend(state="none")
    chat = Conversation(backend)
    chat.start("issue_certificate")
    verify_by_sms(chat, backend)
    chat.say(backend.account_password)
    assert chat.asking == s.NEW_PIN
    texts = turn(chat, chat.say("비밀번호는 몇 자리로 정해야 해요?", intent="faq"))
    assert "6자리" in texts[0] and "연속된 숫자" in texts[0] and chat.asking == s.NEW_PIN


# --- item 6: the step total never changes; a reissue never opens as an issue --------------------

def labels_of_a_whole_reissue(backend, chat):
    labels = [chat.slots[s.STEP_LABEL]]
    for answer, intent in [("휴대폰 문자로 할게요", "nlu_fallback"), *[(a, "nlu_fallback") for a in IDENTITY],
                           (backend.code, "affirm"), ("네", "affirm"), (backend.account_password, "affirm"),
                           ("246810", "affirm"), ("246810", "affirm")]:
        for text in turn(chat, chat.say(answer, intent)):
            if step_marker(text):
                labels.append(step_marker(text))
    return labels


def test_a_reissue_shows_one_total_from_the_first_step_to_the_last():
    backend = FakeBackend(state="expired", expires_on="2026-11-20", days_left=0)
    chat = Conversation(backend)
    opening = turn(chat, chat.start("issue_certificate", text="인증서 재발급 받을게요"))
    assert not any(re.search("(?<!재)발급을 도와드릴게요", text) for text in opening)  # not announced as a first issue
    labels = labels_of_a_whole_reissue(backend, chat)
    totals = {STEP_MARKER.match(label).group(2) for label in labels}
    numbers = [int(STEP_MARKER.match(label).group(1)) for label in labels]
    assert totals == {"3"}, labels
    assert numbers == sorted(numbers) and numbers[0] == 1 and numbers[-1] == 3
    assert "[2/3] 재발급 확인" in labels
    assert said(chat.said, "utter_reissue_done") and not chat.form_active


def test_a_reissue_from_the_reissue_button_opens_as_a_reissue():
    backend = FakeBackend(state="expired", expires_on="2026-11-20", days_left=0)
    chat = Conversation(backend)
    chat.start("renew_certificate")
    verify_by_sms(chat, backend)  # renewal ends: expired, with a 재발급하기 button
    texts = turn(chat, chat.start("issue_certificate", text="/issue_certificate"))
    assert not any(re.search("(?<!재)발급을 도와드릴게요", text) for text in texts)
    assert any("재발급으로 진행해요" in text for text in texts)
    assert step_marker(texts[-1]) == "[2/3] 재발급 확인"


def test_a_first_issue_announces_its_own_three_steps_after_verification():
    backend = FakeBackend(state="none")
    chat = Conversation(backend)
    first = turn(chat, chat.start("issue_certificate"))
    assert step_marker(first[-1]) == "[1/3] 본인 확인"
    texts = verify_by_sms(chat, backend)
    assert any("새로 발급해요" in text for text in texts)
    assert step_marker(texts[-1]) == "[2/3] 계좌 비밀번호"


# --- item 7: questions never start or switch tasks by themselves -----------------------------------

def test_a_question_about_a_task_with_nothing_running_is_answered_and_starts_nothing():
    backend = FakeBackend()
    chat = Conversation(backend)
    reply = chat.start("copy_certificate", text="인증서를 다른 폰에서도 쓸 수 있나요?")  # filed as the task intent
    assert said(reply, "utter_faq/copy_how")
    offer = said(reply, "utter_task_offer")[0]
    assert [b["payload"] for b in offer["buttons"]] == ["/copy_certificate"]  # the customer decides
    assert not chat.form_active and chat.slots[s.TASK] is None and chat.asking is None
    assert backend.calls == []  # nothing was started at the backend


def test_a_request_still_starts_the_task():
    chat = Conversation(FakeBackend())
    chat.start("copy_certificate", text="다른 기기 연결해 주세요")
    assert chat.form_active and chat.asking == s.VERIFY_METHOD


def test_a_question_mid_task_is_answered_and_the_step_continues_without_a_switch_offer():
    backend = FakeBackend()
    chat = Conversation(backend)
    chat.start("renew_certificate")
    verify_by_sms(chat, backend)
    asked, label = chat.asking, chat.slots[s.STEP_LABEL]
    reply = chat.say("비밀번호 바꾸려면 어떻게 해요?", intent="change_pin")
    assert chat.asking == asked and chat.slots[s.SWITCH_TO] is None
    assert not said(reply, "utter_ask_switch_confirm")
    assert said(reply, "utter_about_change_pin")
    assert not said(reply, "utter_task_offer")  # no offer of a task the customer never asked for
    assert step_marker(turn(chat, [])[-1]) == label


# --- item 8: answers as people really type them -------------------------------------------------

@pytest.mark.parametrize("typed,expected", [
    ("2000년 5월 5일 생이에요", "2000-05-05"), ("2000년 5월 5일생", "2000-05-05"),
    ("생년월일은 900101이에요", "1990-01-01"), ("00년 5월 5일생입니다", "2000-05-05"),
])
def test_birth_dates_inside_a_short_sentence(typed, expected):
    chat = Conversation(FakeBackend())
    chat.start("check_certificate")
    chat.say("문자")
    chat.say("김민준")
    chat.say(typed, intent="out_of_scope")
    assert chat.slots[s.BIRTH_DATE] == expected and chat.asking == s.MOBILE_NUMBER


@pytest.mark.parametrize("typed", ["공일공 일일일일 이이이이", "010 1111 2222", "공일공-일일일일-이이이이", "010 1111-2222"])
def test_phone_numbers_in_korean_digits_or_with_spaces(typed):
    backend = FakeBackend()
    chat = Conversation(backend)
    chat.start("check_certificate")
    for answer in ["문자", "김민준", "19850315"]:
        chat.say(answer)
    chat.say(typed, intent="out_of_scope")  # the classifier may call it anything
    assert not chat.last_rejected
    assert chat.slots[s.MOBILE_NUMBER] == "01011112222" and chat.asking == s.VERIFICATION_CODE


@pytest.mark.parametrize("typed", ["김민준 고객이에요", "김민준님", "홍길동 씨", "제 이름은 김민준이에요", "김민준 씨요"])
def test_names_with_titles(typed):
    chat = Conversation(FakeBackend())
    chat.start("check_certificate")
    chat.say("문자")
    chat.say(typed, intent="greet")
    assert chat.slots[s.CUSTOMER_NAME] in ("김민준", "홍길동") and chat.asking == s.BIRTH_DATE


def test_re_prompts_quote_only_formats_that_are_accepted():
    """Every example a re-prompt shows is accepted when typed exactly so."""
    from datetime import date

    from actions.message_reading import read_name
    from certpolicy.validators import normalize_mobile, parse_birth_date
    from tests.flows.render import render

    birth = render({"response": "utter_birth_date_invalid"})
    examples = re.findall(r"\d{4}[-년\d ][\d월 -]*\d+일?|\d{8}", birth)
    assert len(examples) >= 3
    assert all(parse_birth_date(example.strip(), date(2026, 12, 1)) for example in examples), examples
    mobile = render({"response": "utter_mobile_invalid"})
    phones = re.findall(r"010[-\d]{8,}", mobile)
    assert phones and all(normalize_mobile(phone) for phone in phones)
    name = render({"response": "utter_name_invalid"})
    assert all(read_name(example) for example in re.findall(r"([가-힣]{3})처럼", name))


# --- item 9: the step header clears when a task ends -------------------------------------------

@pytest.mark.parametrize("state,ending", [("active", "utter_renew_not_open"), ("expired", "utter_task_cert_expired"),
                                          ("locked", "utter_task_cert_locked"), ("none", "utter_task_no_certificate")])
def test_a_task_that_ends_sends_no_step_marker(state, ending):
    backend = FakeBackend(state=state, expires_on="2027-04-01", days_left=120)
    chat = Conversation(backend)
    chat.start("renew_certificate")
    for answer in ["휴대폰 문자로 할게요", *IDENTITY]:
        chat.say(answer)
    last_turn = turn(chat, chat.say(backend.code))
    assert said(chat.said, ending) and not chat.form_active
    assert [step_marker(text) for text in last_turn] == [None] * len(last_turn)  # the widget clears its header
    assert chat.slots[s.STEP_LABEL] is None


def test_the_status_summary_ends_without_a_step_marker_and_shows_only_what_applies():
    backend = FakeBackend(state="expired", expires_on="2026-11-20", days_left=0)
    chat = Conversation(backend)
    chat.start("check_certificate")
    for answer in ["휴대폰 문자로 할게요", *IDENTITY]:
        chat.say(answer)
    texts = turn(chat, chat.say(backend.code))
    summary = texts[-1]
    assert step_marker(summary) is None
    assert "남음" not in summary and "갱신 가능일" not in summary
    assert "2026년 11월 20일" in summary and not re.search(r"\d{4}-\d{2}-\d{2}", summary)


def test_dates_are_read_as_korean_dates():
    backend = FakeBackend(state="active", expires_on="2027-04-01", days_left=120)
    chat = Conversation(backend)
    chat.start("renew_certificate")
    texts = verify_by_sms(chat, backend)
    ending = texts[-1]
    assert "2027년 4월 1일" in ending and not re.search(r"\d{4}-\d{2}-\d{2}", ending)


# --- security finding 1: ARS confirmed by the phone side -------------------------------------------

def start_ars(backend):
    chat = Conversation(backend)
    chat.start("check_certificate")
    texts = []
    for answer in ["ARS 전화로 할게요", *IDENTITY]:
        texts = turn(chat, chat.say(answer))
    return chat, texts


def test_ars_shows_the_digits_and_waits_for_the_phone():
    backend = FakeBackend(state="active")
    chat, texts = start_ars(backend)
    assert chat.asking == s.ARS_WAIT
    assert backend.ars_digits in texts[-1] and "'완료'" in texts[-1]
    reply = chat.say("완료", intent="affirm")  # said before the phone keyed anything
    assert said(reply, "utter_ars_pending") and chat.asking == s.ARS_WAIT
    assert chat.slots[s.VERIFICATION_TOKEN] is None
    backend.press_ars_keys(backend.ars_digits)
    chat.say("네 눌렀어요", intent="affirm")
    assert token_of(chat) == "token-1" and not chat.form_active  # status shown
    sent = [c for c in backend.calls if c[0] == "confirm_verification"]
    assert len(sent) == 2 and all(call[2] is None for call in sent)  # the chat never claims the digits


def test_typing_the_digits_into_the_chat_does_not_confirm_the_call():
    backend = FakeBackend(state="active")
    chat, _ = start_ars(backend)
    chat.say(backend.ars_digits, intent="affirm")  # the old flow's proof; now only the phone counts
    assert chat.slots[s.VERIFICATION_TOKEN] is None and chat.asking == s.ARS_WAIT


def test_a_failed_call_explains_and_lets_the_customer_choose_again():
    backend = FakeBackend(state="active")
    chat, _ = start_ars(backend)
    backend.press_ars_keys("99")
    texts = turn(chat, chat.say("완료"))
    assert "잘못 눌렀어요" in texts[0] and chat.asking == s.VERIFY_METHOD
    assert chat.slots[s.CUSTOMER_NAME] == "김민준"  # what was given is kept
    chat.say("휴대폰 문자로 할게요")
    chat.say("010-1111-2222")
    chat.say(backend.code)
    assert token_of(chat) == "token-1"


def test_an_outage_at_the_ars_step_keeps_the_place_and_retries():
    backend = FakeBackend(state="active")
    chat, _ = start_ars(backend)
    backend.press_ars_keys(backend.ars_digits)
    backend.down.add("confirm_verification")
    chat.say("완료")
    assert chat.asking == s.RETRY_CONFIRM
    backend.down.clear()
    chat.say("/affirm", intent="affirm")
    assert token_of(chat) == "token-1"


# --- security finding 1: the second factor before issuing ------------------------------------------

def at_account_password(backend):
    chat = Conversation(backend)
    chat.start("issue_certificate")
    texts = verify_by_sms(chat, backend)
    if chat.asking == s.TASK_CONFIRM:
        texts = turn(chat, chat.say("네", intent="affirm"))
    assert chat.asking == s.ACCOUNT_PASSWORD
    return chat, texts


def test_issuing_asks_the_account_password_in_a_masked_field_before_any_pin():
    from tests.flows.render import variation

    backend = FakeBackend(state="none")
    chat, texts = at_account_password(backend)
    assert step_marker(texts[-1]) == "[2/3] 계좌 비밀번호" and "보안 입력칸" in texts[-1]
    assert variation("utter_ask_account_password", chat.slots)["custom"]["input"] == "secret"
    chat.say(backend.account_password)
    assert chat.asking == s.NEW_PIN and chat.slots[s.ACCOUNT_PASSWORD] == s.MASKED
    chat.say("246810")
    chat.say("246810")
    assert said(chat.said, "utter_issue_done") and backend.state == "active"
    stored = str(redact_events(chat.events))
    assert backend.account_password not in stored and backend.account_password not in str(chat.slots)


def test_a_wrong_account_password_is_asked_again_with_the_tries_left():
    backend = FakeBackend(state="none")
    chat, _ = at_account_password(backend)
    texts = turn(chat, chat.say("1111"))
    assert "4번 더" in texts[0] and chat.asking == s.ACCOUNT_PASSWORD
    assert not [c for c in backend.calls if c[0] == "issue"]


def test_repeated_wrong_account_passwords_lock_and_end_with_the_customer_center():
    backend = FakeBackend(state="active")  # a reissue over an active, unlocked certificate
    chat, _ = at_account_password(backend)
    for _ in range(4):
        chat.say("1111")
    reply = chat.say("1111")
    locked = said(reply, "utter_second_factor_locked")[0]
    assert [b["payload"] for b in locked["buttons"]] == ["/human_handoff"]
    assert not chat.form_active and backend.state == "active"
    assert not [c for c in backend.calls if c[0] == "issue"]


def test_someone_who_is_not_a_bank_customer_is_told_why_issuing_is_not_possible():
    backend = FakeBackend(state="none")
    backend.bank_customer = False
    chat, _ = at_account_password(backend)
    texts = turn(chat, chat.say("2580"))
    assert "인터넷뱅킹에 가입한 고객만" in texts[0] and not chat.form_active
    assert said(chat.said, "utter_not_a_bank_customer")[0]["buttons"][0]["payload"] == "/human_handoff"


def test_an_issue_refused_for_a_missing_second_factor_asks_it_again():
    backend = FakeBackend(state="none")
    chat, _ = at_account_password(backend)
    chat.say(backend.account_password)
    backend.second_factor_tokens.clear()  # e.g. the backend restarted and forgot the check
    chat.say("246810")
    reply = chat.say("246810")
    assert said(reply, "utter_account_password_again") and chat.asking == s.ACCOUNT_PASSWORD
    chat.say(backend.account_password)
    chat.say("246810")
    chat.say("246810")
    assert said(chat.said, "utter_issue_done")


def test_a_question_about_my_own_certificate_is_the_status_request():
    chat = Conversation(FakeBackend())
    chat.start("check_certificate", text="내 인증서 언제 만료돼?")
    assert chat.form_active and chat.asking == s.VERIFY_METHOD


def test_no_call_arrived_the_customer_switches_to_a_text_at_the_ars_step():
    backend = FakeBackend(state="active")
    chat, _ = start_ars(backend)
    from tests.flows.render import variation

    assert said(chat.say("완료"), "utter_ars_pending")
    buttons = variation("utter_ars_pending", chat.slots)["buttons"]
    assert [b["payload"] for b in buttons] == ["ARS 전화 다시 받을게요", "휴대폰 문자로 받을게요"]
    chat.say("휴대폰 문자로 받을게요", intent="nlu_fallback")
    assert chat.asking == s.VERIFICATION_CODE and chat.slots[s.VERIFY_METHOD] == "sms"
    assert [c[1] for c in backend.calls if c[0] == "start_verification"] == ["ars", "sms"]
    chat.say(backend.code)
    assert token_of(chat) == "token-1"


def test_questions_in_the_middle_of_a_task_keep_the_step_marker():
    """Cancel, switch and retry questions are mid-task: the header keeps the step (only endings clear it)."""
    backend = FakeBackend()
    chat = Conversation(backend)
    chat.start("renew_certificate")
    verify_by_sms(chat, backend)
    chat.say("네", intent="affirm")  # at the PIN step, which no "그만할래요" answers
    label = chat.slots[s.STEP_LABEL]
    assert step_marker(turn(chat, chat.say("그만할래요", intent="cancel"))[-1]) == label
    ended = turn(chat, chat.say("네", intent="affirm"))
    assert [step_marker(text) for text in ended] == [None] * len(ended) and chat.slots[s.STEP_LABEL] is None

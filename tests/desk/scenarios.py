"""Four stored conversations that exercise every insight: a renewal that succeeds (with secrets and
identity typed), one that is abandoned at the confirmation, confused questions with a suggestion click
and a correction, and a handoff to an agent and back."""
from tests.desk.conversations import Script

NAME, PHONE, BIRTH, PIN, CODE = "김민준", "010-1111-2222", "19850315", "135790", "482913"
RENEW_STEPS = ["[1/4] 본인 확인\n이름을 입력해 주세요.", "[2/4] 인증서 확인\n갱신할 수 있어요.",
               "[3/4] 갱신 확인\n이대로 갱신할까요?", "[4/4] 비밀번호 입력\n비밀번호 6자리를 입력하면 바로 갱신돼요."]


def renewal(sender: str, start: float, finish: bool) -> Script:
    s = Script(sender, start)
    s.action("action_session_start").raw("session_started").action("action_listen")
    s.user("인증서 갱신해 주세요", "renew_certificate").action("task_form").loop("task_form")
    s.slot("task", "renew_certificate").bot(RENEW_STEPS[0]).slot("requested_slot", "customer_name")
    s.action("action_listen").user(NAME, "nlu_fallback").action("task_form").slot("customer_name", NAME)
    s.slot("requested_slot", "birth_date").action("action_listen").user(BIRTH, "nlu_fallback")
    s.action("task_form").slot("requested_slot", "mobile_number").action("action_listen").user(PHONE, "nlu_fallback")
    s.action("task_form").slot("requested_slot", "verification_code").action("action_listen").user(CODE, "affirm")
    s.action("task_form").slot("verification_token", "vt-live-token").slot("token_expires_at", start + 10 ** 6)
    s.slot("masked_phone", "010-****-2222").bot(f"{NAME}님, 본인 확인이 끝났어요.").bot(RENEW_STEPS[1])
    s.bot(RENEW_STEPS[2]).slot("requested_slot", "task_confirm")
    if not finish:
        return s
    s.action("action_listen").user("네", "affirm").action("task_form").slot("task_confirm", True)
    s.bot(RENEW_STEPS[3]).slot("requested_slot", "current_pin").action("action_listen").user(PIN, "affirm")
    s.action("task_form").slot("current_pin", "secret:abc")
    s.action("task_form").slot("task_outcome", "renewed").slot("task_outcome", None).slot("task", None)
    s.loop(None).slot("requested_slot", None).action("action_listen")
    return s


def confused(sender: str, start: float) -> Script:
    s = Script(sender, start)
    s.action("action_session_start").raw("session_started").action("action_listen")
    s.user("갱신 언제까지 하면 돼요", "faq", faq_key="renew_period").action("utter_faq").action("action_listen")
    s.user("블라블라 쿵짝", "nlu_fallback", confidence=0.3,
           ranking=[("nlu_fallback", 0.3), ("faq", 0.25), ("greet", 0.1)], faq_key="renew_how")
    s.action("action_suggest_topics").bot("혹시 이 중에 궁금하신 내용이 있나요?").action("action_listen")
    s.user('/faq{"faq_key":"renew_how"}', "faq", entities=[{"entity": "faq_key", "value": "renew_how"}])
    s.action("action_answer_faq").action("action_listen")
    s.user("인증서 옮기기", "faq", faq_key="storage").action("utter_faq").action("action_listen")
    s.user("그게 아니라 다른 폰에서 쓰고 싶다고요", "faq", faq_key="copy_how").action("utter_faq").action("action_listen")
    s.user(f"제 번호 {PHONE}인데 왜 안돼요", "nlu_fallback", confidence=0.2,
           ranking=[("nlu_fallback", 0.2), ("out_of_scope", 0.2)])
    s.action("action_suggest_topics").action("action_listen")
    return s


def handoff(sender: str, start: float) -> Script:
    s = Script(sender, start)
    s.action("action_session_start").raw("session_started").action("action_listen")
    s.user("상담원 연결해 주세요", "human_handoff").action("action_offer_handoff").action("action_listen")
    s.user('/human_handoff{"handoff":"queue"}', "human_handoff").action("action_handoff_queue")
    s.slot("handoff_requested_at", start + 5).action("action_listen").raw("pause")
    s.user("안녕하세요 도와주세요", "greet").bot("상담원 한지수 님이 연결됐어요.", {"agentdesk": "system"})
    s.bot("네, 무엇을 도와드릴까요?", {"agentdesk": "agent", "agent_name": "한지수"})
    s.user("쿵짝 블라", "nlu_fallback").bot("상담이 끝났어요.", {"agentdesk": "system"}).raw("resume")
    s.user("유효기간이 얼마예요", "faq", faq_key="validity").action("utter_faq").action("action_listen")
    return s

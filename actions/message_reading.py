"""Reading a form answer out of the latest message, and telling answers from interruptions."""
from __future__ import annotations

from typing import Optional

from rasa_sdk import Tracker

from certpolicy.validators import normalize_name

TASK_INTENTS = ("issue_certificate", "renew_certificate", "check_certificate", "copy_certificate",
                "revoke_certificate", "change_pin")
# Intents that leave the current step for a moment; rules answer them, then the step is asked again.
INTERRUPTIONS = {"faq", "out_of_scope", "greet", "goodbye", "thank", "bot_challenge", "human_handoff",
                 "cancel", *TASK_INTENTS}
# Words that make a short Hangul message a question or a command rather than a name.
_NOT_NAME_WORDS = ("인증", "갱신", "발급", "비밀", "비번", "만료", "취소", "그만", "처음", "상담", "유효",
                   "기간", "복사", "폐기", "조회", "확인", "문자", "전화", "영업점", "방법", "어떻게", "뭐",
                   "몰라", "싫어", "아니", "네네", "괜찮")
_YES_STARTS = ("네", "예", "응", "ㅇㅇ", "좋아", "그래", "맞아", "yes", "ok", "오케이", "ㅇㅋ")
_YES_WORDS = ("진행해", "진행할", "할게요", "할래요", "해 주세요", "해주세요", "부탁", "확인했", "다시 시도")
_NO_WORDS = ("아니", "아뇨", "싫어", "안 할", "안할", "no", "ㄴㄴ", "괜찮아요", "됐어", "하지 마", "안 해")
# Said to leave a task: "yes" to "그만둘까요?", "no" to "갱신할까요?".
CANCEL_WORDS = ("취소", "그만", "처음으로", "처음부터", "중단", "멈춰", "나갈래", "안 할래", "안할래")
_METHODS = {"sms": ("문자", "sms", "휴대폰", "핸드폰", "메시지"), "ars": ("ars", "전화", "에이알에스", "통화"),
            "branch": ("영업점", "지점", "방문", "창구", "은행 가서", "은행에 가")}


def latest_text(tracker: Tracker) -> str:
    return (tracker.latest_message or {}).get("text") or ""


def latest_intent(tracker: Tracker) -> Optional[str]:
    return ((tracker.latest_message or {}).get("intent") or {}).get("name")


def is_payload(text: str) -> bool:
    """A button's payload (/intent{...}) is never a typed answer."""
    return text.startswith("/")


def is_interruption(tracker: Tracker) -> bool:
    intent = latest_intent(tracker)
    if intent == "cancel":
        # Trust "cancel" only with a cancel word: the classifier also files "카카오톡으로요" there.
        text = latest_text(tracker)
        return is_payload(text) or any(word in text for word in CANCEL_WORDS)
    return intent in INTERRUPTIONS


def read_method(text: str) -> Optional[str]:
    lowered = text.lower()
    for method, words in _METHODS.items():
        if any(word in lowered for word in words):
            return method
    return None


# Sentence endings: "모르겠어요", "없다", "할까" are replies, not names.
_SENTENCE_ENDINGS = ("요", "다", "까", "죠", "래", "게", "데")


_NAME_SUFFIXES = ("이라고 합니다", "라고 합니다", "이라고 해요", "라고 해요", "입니다", "이에요", "예요", "이요")
# What people put around their own name: "제 이름은 김민준 고객이에요", "김민준님", "홍길동 씨요".
_NAME_PREFIXES = ("제 이름은", "이름은", "성함은", "저는", "전")
_NAME_TITLES = ("고객님", "고객", "님", "씨요", "씨")


def _strip_end(text: str, endings) -> str:
    for ending in endings:
        if text.endswith(ending) and len(text) > len(ending):
            return text[: -len(ending)].strip()
    return text


def _without_affixes(text: str) -> str:
    """'제 이름은 김민준 고객이에요' -> '김민준'; a bare name is returned as it is."""
    original = text = text.strip().rstrip(".!~ ")
    for prefix in _NAME_PREFIXES:
        if text.startswith(prefix + " "):
            text = text[len(prefix):].strip()
            break
    for _ in range(2):  # an ending and a title, in either order: "김민준 씨요", "김민준입니다"
        stripped = _strip_end(_strip_end(text, _NAME_SUFFIXES), _NAME_TITLES)
        if stripped == text:
            break
        text = stripped
    return text if normalize_name(text) else original


def read_name(text: str) -> Optional[str]:
    """'김민준', '김민준입니다', '김민준 고객이에요', '홍길동 씨', 'Kim Minjun'; not '안녕하세요' or '모르겠어요'."""
    text = _without_affixes(text)
    name = normalize_name(text)
    if not name or any(word in name for word in _NOT_NAME_WORDS):
        return None
    if "가" <= name[-1] <= "힣" and name.endswith(_SENTENCE_ENDINGS):
        return None
    return name


def read_yes_no(text: str, intent: Optional[str], cancelling: bool = False) -> Optional[bool]:
    """A yes or no from words, or from the /affirm and /deny buttons; None when unclear.

    The classifier's affirm/deny alone is not trusted for typed text: it files "모르겠어요" under
    affirm, and a wrong yes here can revoke a certificate. ``cancelling``: the question is
    "그만둘까요?", where "네 취소할게요" and "그만할래요" mean yes.
    """
    lowered = text.strip().lower()
    if is_payload(lowered):
        return {"affirm": True, "deny": False}.get(intent)
    if not any(ch.isalpha() for ch in lowered):
        return None  # "111111" is not a yes, whatever the classifier guessed
    if lowered.startswith(_YES_STARTS):
        return True
    if any(word in lowered for word in _NO_WORDS):
        return False
    if any(word in lowered for word in CANCEL_WORDS):
        return cancelling
    if any(word in lowered for word in _YES_WORDS):
        return True
    return None


# --- questions that are not answers -------------------------------------------------------------
_PIN_RULE_WORDS = ("자리", "자릿수", "규칙", "조건", "몇 개", "몇개", "어떤 번호", "어떤 숫자", "어떻게 만들",
                   "어떻게 정", "뭘로", "뭐로", "특수문자", "영문", "글자", "문자도", "숫자만")


def is_pin_rules_question(text: str) -> bool:
    """'비밀번호 몇 자리예요?', '영문도 넣어야 해요?' asked at a PIN step: the rules, not a forgotten PIN.

    Digits make it an answer ('135790'), except one or two digits inside a question ('6자리 맞아요?').
    """
    digits = sum(ch.isdigit() for ch in text)
    if digits > 2 or is_payload(text):
        return False
    return any(word in text for word in _PIN_RULE_WORDS) and (digits == 0 or "?" in text or is_question(text))


_QUESTION_ENDINGS = ("나요", "까요", "가요", "은가", "는가", "니까", "는지", "은지", "죠", "어요", "에요", "예요",
                     "해요", "돼요", "되요", "있어요", "없어요", "하나", "되나", "인가", "뭐야", "거야", "건가")
_QUESTION_WORDS = ("어떻게", "어떡해", "어디", "언제", "왜", "뭐", "무엇", "얼마", "몇", "어느", "방법", "되나", "가능")
# Asking for the thing to be done: "갱신해 주세요", "발급하고 싶어요", "폐기할래요".
_REQUEST_WORDS = ("주세요", "줘", "주실", "싶어", "할래", "할게", "하려고요", "부탁", "진행", "시작", "원해", "하자",
                  "해 줄래", "해줄래", "해주실", "하겠", "바로", "지금", "할 수 있게")


def is_question(text: str) -> bool:
    """A question about a topic ('다른 기기에서도 쓸 수 있나요?'), not a request to do it ('연결해 주세요').

    Button payloads are requests. A question mark or a question word decides only when no request
    word is there: '갱신 방법 알려 주세요' is a request for an answer, which is still a question here.
    """
    text = text.strip()
    if not text or is_payload(text):
        return False
    if any(word in text for word in ("알려", "설명", "궁금")):
        return True
    if any(word in text for word in _REQUEST_WORDS):
        return False
    core = text.rstrip("?!. ~")
    return text.endswith("?") or any(word in text for word in _QUESTION_WORDS) \
        or (core.endswith(_QUESTION_ENDINGS) and ("?" in text or "나요" in core or "까요" in core))


_DONE_WORDS = ("완료", "했어", "했습니다", "했음", "눌렀", "누름", "끝났", "끝냈", "됐어", "되었", "입력했", "ㅇㅋ", "네", "예")


def is_done_saying(text: str) -> bool:
    """'완료', '눌렀어요', '네 했어요': the customer says the ARS call is done."""
    return any(word in text for word in _DONE_WORDS)

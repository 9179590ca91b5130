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


_NAME_SUFFIXES = ("입니다", "이에요", "예요", "이요", "라고 해요", "이라고 해요")


def read_name(text: str) -> Optional[str]:
    """'김민준', '김민준입니다', 'Kim Minjun'; not '안녕하세요' or '모르겠어요'."""
    text = text.strip().rstrip(".!")
    for suffix in _NAME_SUFFIXES:
        if text.endswith(suffix) and normalize_name(text[: -len(suffix)]):
            text = text[: -len(suffix)]
            break
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

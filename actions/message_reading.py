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
_YES = ("네", "예", "응", "어", "좋아", "그래", "맞아", "진행", "할게", "할래", "해 주세요", "해주세요", "ㅇㅇ",
        "yes", "ok", "오케이", "확인")
_NO = ("아니", "아뇨", "싫어", "안 할", "안할", "그만", "취소", "no", "ㄴㄴ", "괜찮아요", "됐어")
_METHODS = {"sms": ("문자", "sms", "휴대폰", "핸드폰", "메시지"), "ars": ("ars", "전화", "에이알에스", "통화"),
            "branch": ("영업점", "지점", "방문", "창구", "은행 가서", "은행에 가")}


def latest_text(tracker: Tracker) -> str:
    return (tracker.latest_message or {}).get("text") or ""


def latest_intent(tracker: Tracker) -> Optional[str]:
    return ((tracker.latest_message or {}).get("intent") or {}).get("name")


def is_interruption(tracker: Tracker) -> bool:
    return latest_intent(tracker) in INTERRUPTIONS


def read_method(text: str) -> Optional[str]:
    lowered = text.lower()
    for method, words in _METHODS.items():
        if any(word in lowered for word in words):
            return method
    return None


# Sentence endings: "모르겠어요", "없다", "할까" are replies, not names.
_SENTENCE_ENDINGS = ("요", "다", "까", "죠", "래", "게", "데")


def read_name(text: str) -> Optional[str]:
    name = normalize_name(text)
    if not name or any(word in name for word in _NOT_NAME_WORDS):
        return None
    if "가" <= name[-1] <= "힣" and name.endswith(_SENTENCE_ENDINGS):
        return None
    return name


def read_yes_no(text: str, intent: Optional[str]) -> Optional[bool]:
    if not any(ch.isalpha() for ch in text) and not text.startswith("/"):
        return None  # "111111" is not a yes, whatever the classifier guessed
    if intent == "affirm":
        return True
    if intent == "deny":
        return False
    lowered = text.strip().lower()
    if any(word in lowered for word in _NO):
        return False
    if any(lowered.startswith(word) or lowered == word for word in _YES):
        return True
    return None

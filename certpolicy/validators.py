"""Parsing and rules for what a customer types: names, birth dates, mobile numbers, codes, PINs.

Shared by the certificate backend (which enforces them) and the assistant's forms (which
re-prompt on them), so a PIN the chat accepts is never refused by the backend for a rule
the chat did not know. Every function is pure: no clock, no I/O.
"""
from __future__ import annotations

import re
from datetime import date
from typing import Optional

_SEPARATORS = re.compile(r"[\s\-.·]+")
_HANGUL_NAME = re.compile(r"^[가-힣]{2,5}$")
_LATIN_NAME = re.compile(r"^[A-Za-z][A-Za-z' -]{0,38}[A-Za-z]$")
_MOBILE = re.compile(r"^01[016789][0-9]{7,8}$")
_KOREAN_DATE = re.compile(r"^([0-9]{2,4})\s*년\s*([0-9]{1,2})\s*월\s*([0-9]{1,2})\s*일?$")
_SPLIT_DATE = re.compile(r"^([0-9]{2,4})[\-./\s]+([0-9]{1,2})[\-./\s]+([0-9]{1,2})\.?$")
# Words around a typed birth date: "2000년 5월 5일 생이에요", "생년월일은 900101이요", "90년 1월 1일에 태어났어요".
_DATE_LEAD = re.compile(r"^(?:제\s*)?(?:생년월일|생일)?(?:은|는)?\s*(?:저는\s*)?")
_DATE_TRAIL = re.compile(r"\s*(?:생|에\s*태어났\S*|출생)?\s*(?:이에요|이예요|입니다|이요|예요|요)?\s*[.!~]*$")
# Digits read aloud, as people type phone numbers: "공일공 오오오오 육육육육".
_SPOKEN_DIGITS = {"공": "0", "영": "0", "빵": "0", "일": "1", "이": "2", "삼": "3", "사": "4", "오": "5",
                  "육": "6", "륙": "6", "칠": "7", "팔": "8", "구": "9"}

# PIN problems, as stable codes the backend returns and the chat explains.
PIN_LENGTH = "length"
PIN_NOT_DIGITS = "not_digits"
PIN_REPEATED = "repeated"
PIN_SEQUENTIAL = "sequential"
PIN_BIRTH_DATE = "birth_date"

# What each PIN problem means for the customer ({length} = the policy's PIN length).
PIN_PROBLEM_MESSAGES = {
    PIN_NOT_DIGITS: "비밀번호는 숫자로만 만들어 주세요.",
    PIN_LENGTH: "비밀번호는 숫자 {length}자리로 만들어 주세요.",
    PIN_REPEATED: "같은 숫자만 반복한 비밀번호는 쓸 수 없어요.",
    PIN_SEQUENTIAL: "123456이나 987654처럼 연속된 숫자는 쓸 수 없어요.",
    PIN_BIRTH_DATE: "생년월일이 들어간 비밀번호는 쓸 수 없어요.",
}


def strip_separators(text: str) -> str:
    """'12 34-56' -> '123456': codes and numbers are often typed with spaces or dashes."""
    return _SEPARATORS.sub("", text.strip())


def normalize_name(text: str) -> Optional[str]:
    """A Korean name of 2-5 Hangul syllables or a Latin name; None when it is neither."""
    name = " ".join(text.split())
    if _HANGUL_NAME.match(name.replace(" ", "")):
        return name.replace(" ", "")
    if _LATIN_NAME.match(name):
        return name
    return None


def spoken_digits(text: str) -> str:
    """'공일공 오오오오 육육육육' -> '010 5555 6666'; text with any other word is returned unchanged.

    Only a message made of digit syllables (and separators, or ASCII digits) is converted, so
    "이" as a word is never read as 2.
    """
    if not any(ch in _SPOKEN_DIGITS for ch in text):
        return text
    converted = "".join(_SPOKEN_DIGITS.get(ch, ch) for ch in text)
    return converted if strip_separators(converted).isascii() and strip_separators(converted).isdigit() else text


def normalize_mobile(text: str) -> Optional[str]:
    """'010-1234-5678', '01012345678', '010 1234 5678', '+82 10-...' -> '01012345678'."""
    digits = strip_separators(text).replace("(", "").replace(")", "")
    if digits.startswith("+82"):
        digits = "0" + digits[3:]
    return digits if _MOBILE.match(digits) else None


def mask_mobile(mobile: str) -> str:
    """'01012345678' -> '010-****-5678' (what may be shown or logged)."""
    return f"{mobile[:3]}-****-{mobile[-4:]}"


def parse_birth_date(text: str, today: date) -> Optional[date]:
    """Birth dates as customers type them: 900101, 19900101, 1990-01-01, 1990.1.1, 1990년 1월 1일,
    also inside a short sentence ("2000년 5월 5일 생이에요", "생년월일은 900101이요").

    Two-digit years are read as the most recent past year (a customer is born before today).
    """
    raw = _DATE_TRAIL.sub("", _DATE_LEAD.sub("", text.strip()))
    compact = strip_separators(raw)
    match = _KOREAN_DATE.match(raw) or _SPLIT_DATE.match(raw)
    if match:
        year_text, month, day = match.group(1), int(match.group(2)), int(match.group(3))
    elif compact.isascii() and compact.isdigit() and len(compact) in (6, 8):
        year_text, month, day = compact[:-4], int(compact[-4:-2]), int(compact[-2:])
    else:
        return None
    if len(year_text) == 2:
        year = 2000 + int(year_text)
        if year > today.year or (year == today.year and (month, day) > (today.month, today.day)):
            year -= 100
    elif len(year_text) == 4:
        year = int(year_text)
    else:
        return None
    try:
        born = date(year, month, day)
    except ValueError:
        return None
    if born > today or born.year < today.year - 130:
        return None
    return born


def birth_date_forms(born: date) -> tuple:
    """The forms of a birth date a PIN must not equal or contain: (YYMMDD, MMDD)."""
    return born.strftime("%y%m%d"), born.strftime("%m%d")


def digits_only(text: str, length: int) -> Optional[str]:
    """A code or PIN typed with spaces or dashes, if it is exactly ``length`` digits."""
    digits = strip_separators(text)
    return digits if len(digits) == length and digits.isascii() and digits.isdigit() else None


def _is_straight_run(pin: str) -> bool:
    steps = {int(b) - int(a) for a, b in zip(pin, pin[1:])}
    return steps in ({1}, {-1})


def pin_shape_problem(pin: str, length: int) -> Optional[str]:
    """The first rule a new PIN breaks, ignoring the birth date; None if it is acceptable."""
    if not (pin.isascii() and pin.isdigit()):
        return PIN_NOT_DIGITS
    if len(pin) != length:
        return PIN_LENGTH
    if len(set(pin)) == 1:
        return PIN_REPEATED
    if _is_straight_run(pin):
        return PIN_SEQUENTIAL
    return None


def pin_problem(pin: str, length: int, born: Optional[date] = None) -> Optional[str]:
    """Every PIN rule: shape, and not the birth date (equal to YYMMDD or containing MMDD)."""
    shape = pin_shape_problem(pin, length)
    if shape or born is None:
        return shape
    yymmdd, mmdd = birth_date_forms(born)
    if pin == yymmdd or mmdd in pin:
        return PIN_BIRTH_DATE
    return None

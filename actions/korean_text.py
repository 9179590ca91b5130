"""Korean particles chosen by the sound of the word before them (을/를, 이/가, 은/는, 과/와, (으)로).

The choice depends on how the word is *read*: "17을" (십칠), "2를" (이), "KB를" (케이비), so a
trailing digit or Latin letter is read aloud before looking at its final consonant. Shared by the
actions (values filled at run time) and by the test that renders every response.
"""
from __future__ import annotations

from datetime import date
from typing import Optional, Union

# Pairs by name; the first form follows a final consonant, the second an open syllable.
_PAIRS = {"을/를": ("을", "를"), "은/는": ("은", "는"), "이/가": ("이", "가"), "과/와": ("과", "와"),
          "으로/로": ("으로", "로"), "이에요/예요": ("이에요", "예요"), "이나/나": ("이나", "나"),
          "이라고/라고": ("이라고", "라고"), "아/야": ("아", "야")}
RIEUL = 8  # index of ㄹ among final consonants: (으)로 treats it like an open syllable (서울로)
# How the last digit of a number is read: 0 영, 1 일, 2 이, 3 삼, 4 사, 5 오, 6 육, 7 칠, 8 팔, 9 구.
_DIGIT_READINGS = "영일이삼사오육칠팔구"
# Round numbers are read by their largest unit: 10 십, 100 백, 1000 천, 10000 만.
_ROUND_UNITS = ((10000, "만"), (1000, "천"), (100, "백"), (10, "십"))
# Latin letters as read in Korean (A 에이, B 비, ... L 엘, M 엠, N 엔, R 알).
_LETTER_READINGS = {"l": "엘", "m": "엠", "n": "엔", "r": "알"}


def _syllable_of(text: str) -> Optional[str]:
    """The last Hangul syllable as the word is read aloud, or None when nothing is readable."""
    word = text.rstrip(" )]'\"’”.!?,%")
    if not word:
        return None
    last = word[-1]
    if "가" <= last <= "힣":
        return last
    if last.isdigit():
        digits = ""
        for ch in reversed(word):
            if not ch.isdigit():
                break
            digits = ch + digits
        number = int(digits)
        if number:
            for unit, reading in _ROUND_UNITS:
                if number % unit == 0:
                    return reading
        return _DIGIT_READINGS[int(last)]
    if last.isascii() and last.isalpha():
        return _LETTER_READINGS.get(last.lower(), "이")  # other letters end in a vowel: 에이, 비, 씨 ...
    return None


def final_consonant(word: str) -> int:
    """Index of the final consonant of the word's last syllable as read (0: none; 8: ㄹ)."""
    syllable = _syllable_of(word)
    if syllable is None:
        return 0
    return (ord(syllable) - ord("가")) % 28


def has_final_consonant(word: str) -> bool:
    return final_consonant(word) != 0


def particle(word: str, pair: str) -> str:
    """The form of ``pair`` ("을/를", "이/가", ...) that follows ``word``."""
    with_batchim, without = _PAIRS[pair]
    final = final_consonant(word)
    if pair == "으로/로" and final == RIEUL:
        return without
    return with_batchim if final else without


def with_particle(word: str, pair: str) -> str:
    """``word`` followed by the right form of the particle: 갱신을, 비밀번호를, 17을, 2를."""
    return word + particle(word, pair)


def pair_names():
    return tuple(_PAIRS)


def pair_of(form: str) -> Optional[str]:
    """The pair a particle form belongs to ("를" -> "을/를"), None when it is not one of ours."""
    for name, forms in _PAIRS.items():
        if form in forms:
            return name
    return None


def korean_date(value: Union[str, date, None]) -> str:
    """'2027-04-01' -> '2027년 4월 1일' (how dates are read in the answers); '' for nothing."""
    if not value:
        return ""
    day = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    return f"{day.year}년 {day.month}월 {day.day}일"

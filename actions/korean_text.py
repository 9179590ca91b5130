"""Korean particles that depend on the word before them (을/를, 은/는, 으로/로)."""
from __future__ import annotations

_PAIRS = {"을/를": ("을", "를"), "은/는": ("은", "는"), "이/가": ("이", "가"), "으로/로": ("으로", "로")}


def _final_consonant(word: str) -> int:
    """0 when the last syllable has no final consonant; 8 is ㄹ."""
    last = word.strip()[-1:] or "가"
    if not "가" <= last <= "힣":
        return 0
    return (ord(last) - ord("가")) % 28


def with_particle(word: str, pair: str) -> str:
    with_batchim, without = _PAIRS[pair]
    final = _final_consonant(word)
    if pair == "으로/로" and final == 8:  # ㄹ takes 로: 서울로
        return word + without
    return word + (with_batchim if final else without)

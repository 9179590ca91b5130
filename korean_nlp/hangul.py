"""Hangul syllables as Unicode composes them: one place for the arithmetic the NLU, its gates and the
evaluation share (is this a syllable, which jamo is it made of, which syllable do these jamo make).

A precomposed syllable (가 U+AC00 … 힣 U+D7A3) is 0xAC00 + (initial × 21 + medial) × 28 + final, with 19
initials, 21 medials and 28 finals (final 0: none). The jamo below are the compatibility letters a
keyboard shows (ㄱ, ㅏ), in that order, so an index from `decompose` names a key.
"""
from __future__ import annotations

from typing import Tuple

FIRST_SYLLABLE, LAST_SYLLABLE = "가", "힣"
INITIALS = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
MEDIALS = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
# Index 0 (" ") of the finals: no final consonant.
FINALS = " ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ"

_BASE = ord(FIRST_SYLLABLE)
_FINAL_COUNT = len(FINALS)
_PER_INITIAL = len(MEDIALS) * _FINAL_COUNT


def is_syllable(character: str) -> bool:
    """A precomposed Hangul syllable (not a lone jamo, a digit or a Latin letter)."""
    return FIRST_SYLLABLE <= character <= LAST_SYLLABLE


def decompose(syllable: str) -> Tuple[int, int, int]:
    """(initial, medial, final) indexes into INITIALS, MEDIALS, FINALS of one precomposed syllable."""
    if not is_syllable(syllable):
        raise ValueError(f"not a Hangul syllable: {syllable!r}")
    code = ord(syllable) - _BASE
    return code // _PER_INITIAL, code % _PER_INITIAL // _FINAL_COUNT, code % _FINAL_COUNT


def compose(initial: int, medial: int, final: int = 0) -> str:
    """The syllable made of these jamo indexes (the inverse of `decompose`)."""
    if not (0 <= initial < len(INITIALS) and 0 <= medial < len(MEDIALS) and 0 <= final < _FINAL_COUNT):
        raise ValueError(f"no syllable has jamo indexes {(initial, medial, final)}")
    return chr(_BASE + initial * _PER_INITIAL + medial * _FINAL_COUNT + final)

"""korean_nlp/hangul.py: the syllable arithmetic every Korean-aware part shares."""
import unicodedata

import pytest

from korean_nlp.hangul import FINALS, INITIALS, MEDIALS, compose, decompose, is_syllable


def test_known_syllables_decompose_into_their_jamo():
    for syllable, jamo in (("가", "ㄱㅏ "), ("힣", "ㅎㅣㅎ"), ("갱", "ㄱㅐㅇ"), ("쌍", "ㅆㅏㅇ"), ("읽", "ㅇㅣㄺ")):
        initial, medial, final = decompose(syllable)
        assert INITIALS[initial] + MEDIALS[medial] + FINALS[final] == jamo


def test_every_syllable_round_trips_and_agrees_with_unicode():
    for code in range(ord("가"), ord("힣") + 1):
        syllable = chr(code)
        parts = decompose(syllable)
        assert compose(*parts) == syllable
        # Unicode's own decomposition: conjoining jamo U+1100 + initial, U+1161 + medial, U+11A7 + final.
        expected = chr(0x1100 + parts[0]) + chr(0x1161 + parts[1]) + (chr(0x11A7 + parts[2]) if parts[2] else "")
        assert unicodedata.normalize("NFD", syllable) == expected


@pytest.mark.parametrize("character", ["ㄱ", "ㅏ", "a", "1", " ", "\u11a8", "é"])
def test_only_precomposed_syllables_count(character):
    assert not is_syllable(character)
    with pytest.raises(ValueError):
        decompose(character)


def test_compose_refuses_indexes_no_syllable_has():
    with pytest.raises(ValueError):
        compose(len(INITIALS), 0)
    with pytest.raises(ValueError):
        compose(0, 0, len(FINALS))

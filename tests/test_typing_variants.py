"""eval/typing_variants.py: the careless-typing variants change a message the way they say, and only so."""
import random

from eval.typing_variants import (answered_label, one_key_off, space_inside_a_word, two_syllables_swapped,
                                  without_spaces)
from korean_nlp.hangul import decompose, is_syllable

TEXT = "금융인증서 갱신하고 싶어요"


def test_a_space_goes_between_two_syllables_of_a_word():
    for seed in range(20):
        varied = space_inside_a_word(TEXT, random.Random(seed))
        assert varied.replace(" ", "") == TEXT.replace(" ", "") and varied.count(" ") == TEXT.count(" ") + 1
        i = next(k for k, (a, b) in enumerate(zip(varied, TEXT)) if a != b)
        assert varied[i] == " " and is_syllable(varied[i - 1]) and is_syllable(varied[i + 1])


def test_two_neighbouring_syllables_swap_and_nothing_else_moves():
    for seed in range(20):
        varied = two_syllables_swapped(TEXT, random.Random(seed))
        changed = [k for k, (a, b) in enumerate(zip(varied, TEXT)) if a != b]
        assert len(varied) == len(TEXT) and sorted(varied) == sorted(TEXT)
        assert len(changed) in (0, 2)  # 0 when the two syllables are the same
        if changed:
            i, j = changed
            assert j == i + 1 and (varied[i], varied[j]) == (TEXT[j], TEXT[i])


def test_text_without_hangul_pairs_is_left_alone_and_spaces_can_go():
    rng = random.Random(1)
    assert space_inside_a_word("ok 1 2", rng) == "ok 1 2" and two_syllables_swapped("a b", rng) == "a b"
    assert without_spaces(TEXT, rng) == "금융인증서갱신하고싶어요"


def test_the_answered_label_is_the_faq_key_or_the_intent():
    faq = {"intent": {"name": "faq"}, "response_selector": {"faq": {"response": {"intent_response_key": "faq/cost"}}}}
    assert answered_label(faq) == "faq/cost"
    assert answered_label({"intent": {"name": "nlu_fallback"}}) == "nlu_fallback"
    assert answered_label({"intent": {"name": "renew_certificate"}}) == "renew_certificate"


def _all_outcomes(text, draws=300):
    return {one_key_off(text, random.Random(seed)) for seed in range(draws)}


def test_one_key_off_reaches_exactly_the_keys_beside_each_jamo():
    # Written out by hand from the 두벌식 layout, not from the module's table:
    # 서 = ㅅ+ㅓ. ㅅ sits between ㄱ and ㅛ (a vowel: cannot start a syllable) → 거; ㅓ between ㅗ and ㅏ → 소, 사.
    assert _all_outcomes("서") == {"거", "소", "사"}
    # 신 = ㅅ+ㅣ+ㄴ. ㅅ → ㄱ (긴); ㅣ has ㅏ on its left only (산); final ㄴ between ㅁ and ㅇ → 심, 싱.
    assert _all_outcomes("신") == {"긴", "산", "심", "싱"}
    # 쌍 (ㅆ: a Shift key) can slip only in its vowel ㅏ (ㅓ, ㅣ) and its final ㅇ (ㄴ, ㄹ).
    assert _all_outcomes("쌍") == {"썽", "씽", "싼", "쌀"}


def test_one_key_off_changes_one_syllable_and_keeps_the_rest():
    seen = set()
    for seed in range(40):
        varied = one_key_off(TEXT, random.Random(seed))
        changed = [k for k, (a, b) in enumerate(zip(varied, TEXT)) if a != b]
        assert len(varied) == len(TEXT) and len(changed) == 1
        i = changed[0]
        assert sum(a != b for a, b in zip(decompose(TEXT[i]), decompose(varied[i]))) == 1  # one jamo
        seen.add(varied)
    assert len(seen) > 10  # the place and the key are drawn, not fixed
    assert one_key_off("ok 1 2 ㅇㅋ", random.Random(1)) == "ok 1 2 ㅇㅋ"

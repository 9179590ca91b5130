"""eval/typing_variants.py: the careless-typing variants change a message the way they say, and only so."""
import random

from eval.typing_variants import answered_label, space_inside_a_word, two_syllables_swapped, without_spaces

TEXT = "금융인증서 갱신하고 싶어요"


def test_a_space_goes_between_two_syllables_of_a_word():
    for seed in range(20):
        varied = space_inside_a_word(TEXT, random.Random(seed))
        assert varied.replace(" ", "") == TEXT.replace(" ", "") and varied.count(" ") == TEXT.count(" ") + 1
        i = next(k for k, (a, b) in enumerate(zip(varied, TEXT)) if a != b)
        assert varied[i] == " " and "가" <= varied[i - 1] <= "힣" and "가" <= varied[i + 1] <= "힣"


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

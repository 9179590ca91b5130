"""One-jamo typo repair: what it repairs, what it must leave alone, and the pipeline giving the customer's
own text back (korean_nlp/typo_repair.py, nlu_components/typo_repair.py)."""
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from korean_nlp.typo_repair import (MAX_REPAIRED_LENGTH, TypoRepair, count_contexts, one_jamo_apart, one_jamo_away,
                                   syllable_runs)
from nlu_components.typo_repair import TEXT_AS_TYPED, TypedTextRestore, TypoRepairer

TRAINING = ["인증서를 갱신하고 싶어요", "인증서 발급 방법", "인증서를 발급받고 싶습니다", "갱신 방법 알려 주세요",
            "싫어요", "네 좋습니다", "지문 등록", "지문으로 로그인"] * 3
REPAIR = TypoRepair.from_texts(TRAINING)


def test_runs_and_contexts_are_counted_within_words_with_their_edges():
    assert list(syllable_runs("KB인증서 6자리ㅠ")) == [(2, "인증서"), (7, "자리")]
    counts = count_contexts(["인증서 인증서"])
    assert counts["#인"] == counts["인증"] == counts["인증서"] == counts["서#"] == 2
    assert counts["서인"] == 0  # never across a space


def test_one_jamo_away_changes_exactly_one_jamo():
    near = set(one_jamo_away("서"))
    assert {"거", "사", "석", "선"} <= near and "서" not in near and "거서" not in near
    assert len(near) == 18 + 20 + 27  # other initials, other medials, every other final (or none)


def test_a_neighbouring_key_and_a_wrong_final_are_repaired():
    assert REPAIR.repair("인증거를 갱신하고 싶어요") == "인증서를 갱신하고 싶어요"  # ㅅ → ㄱ
    assert REPAIR.repair("갱싱 방법") == "갱신 방법"  # final ㄴ → ㅇ
    assert REPAIR.repair("방법 갱싱") == "방법 갱신"
    assert REPAIR.repair("인증서 발급 방볍") == "인증서 발급 방법"  # ㅓ → ㅕ


def test_a_name_is_not_turned_into_a_word_the_training_data_knows():
    # 지훈# is unseen and 지문# common, so 훈 alone would become 문; but the word 이지문 is not familiar
    # as a whole (이지 never occurs), and a name typed alone is never repaired at all.
    assert REPAIR.repair("이지훈 고객입니다") == "이지훈 고객입니다"
    assert REPAIR.repair("지훈 등록") == "지문 등록"  # the same syllable in a familiar word is repaired
    assert REPAIR.repair("지훈") == "지훈"


def test_a_one_word_message_is_left_as_typed():
    assert REPAIR.repair("인증거를") == "인증거를"
    assert REPAIR.repair("갱싱") == "갱싱"


def test_text_that_fits_its_neighbours_is_left_alone():
    # 싫 fits the start of a word (싫어요), so 싫습니다 is not turned into 싶습니다.
    assert REPAIR.repair("네 싫습니다") == "네 싫습니다"
    for text in ("인증서 갱신", "홍길동", "카카오뱅크 인증서", "123456", "PIN 6자리", "ㅇㅋ", "", "네"):
        assert REPAIR.repair(text) == text


def test_a_repair_keeps_length_case_and_everything_but_the_syllable():
    typed = "KB 인증거를 갱신하고 싶어요!! 010-1234"
    repaired = REPAIR.repair(typed)
    assert repaired == "KB 인증서를 갱신하고 싶어요!! 010-1234"
    assert len(repaired) == len(typed)


def test_a_message_over_the_length_bound_is_left_as_typed():
    # The channel accepts 20,000 characters; repair time grows with the suspect syllables, so a pasted
    # wall of text (or an attacker's) is read as typed.
    typo = "인증거를 갱신하고 싶어요 "
    long = typo * (MAX_REPAIRED_LENGTH // len(typo) + 1)
    assert len(long) > MAX_REPAIRED_LENGTH and REPAIR.repair(long) == long
    fits = typo * (MAX_REPAIRED_LENGTH // len(typo))
    assert REPAIR.repair(fits) == fits.replace("인증거", "인증서")


def test_candidates_are_one_jamo_apart_whatever_the_slot():
    assert one_jamo_apart("서", "거") and one_jamo_apart("신", "싱") and one_jamo_apart("가", "각")
    assert not one_jamo_apart("서", "서") and not one_jamo_apart("서", "고") and not one_jamo_apart("신", "강")


def test_no_repair_without_a_clear_winner():
    tied = TypoRepair.from_texts(["가나다"] * 3 + ["가너다"] * 3)
    assert tied.repair("가노다") == "가노다"  # 나 and 너 are seen equally often: no guess
    rare = TypoRepair.from_texts(["가나다"] * 2)
    assert rare.repair("가노다") == "가노다"  # seen twice: below MIN_COUNT


def _trained(tmp_path):
    storage = LocalModelStorage(tmp_path)
    repairer = TypoRepairer.create(TypoRepairer.get_default_config(), storage, Resource("repair"),
                                   ExecutionContext(None, None))
    # Rasa's TrainingData drops repeated examples: a number after each keeps the copies apart.
    examples = [Message(data={TEXT: f"{text} {i}", INTENT: "x"}) for i, text in enumerate(TRAINING)]
    repairer.train(TrainingData(examples))
    return repairer, storage


def test_the_pipeline_reads_the_repair_and_the_parse_result_keeps_the_typed_text(tmp_path):
    repairer, storage = _trained(tmp_path)
    loaded = TypoRepairer.load(TypoRepairer.get_default_config(), storage, Resource("repair"),
                               ExecutionContext(None, None))
    typed = "인증거를 갱신하고 싶어요"
    message = Message(data={TEXT: typed}, output_properties={TEXT})
    loaded.process([message])
    assert message.get(TEXT) == "인증서를 갱신하고 싶어요"  # what the tokenizer and featurizers read
    assert message.get(TEXT_AS_TYPED) == typed
    TypedTextRestore().process([message])
    parse = message.as_dict(only_output_properties=True)
    assert parse == {TEXT: typed}
    assert TEXT_AS_TYPED not in message.data


def test_training_examples_are_not_rewritten_and_untouched_messages_gain_nothing(tmp_path):
    repairer, _ = _trained(tmp_path)
    example = Message(data={TEXT: "인증거를 갱신", INTENT: "x"})
    assert repairer.process_training_data(TrainingData([example])).training_examples[0].get(TEXT) == "인증거를 갱신"
    payload = Message(data={TEXT: '/inform{"name": "인증거를 갱신"}'})
    repairer.process([payload])
    assert payload.data == {TEXT: '/inform{"name": "인증거를 갱신"}'}
    clean = Message(data={TEXT: "인증서 발급 방법"})
    repairer.process([clean])
    TypedTextRestore().process([clean])
    assert clean.data == {TEXT: "인증서 발급 방법"}

"""The Kiwi-backed spaCy pipeline: offsets, merging, domain words, entities, Rasa tokens."""
import pytest

from korean_nlp.morphology import merge_morphemes


def test_overlapping_morphemes_share_one_token():
    # 됐어요: 되(0,1) 었(0,1) 어요(1,3): 되 and 었 share the first syllable.
    segments = merge_morphemes([("되", "VV", 0, 1), ("었", "EP", 0, 1), ("어요", "EF", 1, 3)])
    assert [(s.start, s.end, s.lemma, s.tag) for s in segments] == [
        (0, 1, "되+었", "VV+EP"),
        (1, 3, "어요", "EF"),
    ]


def test_zero_length_morpheme_joins_the_token_at_its_position():
    # 뭐야: the copula 이 has no surface; it must not become an empty token.
    segments = merge_morphemes([("뭐", "NP", 0, 1), ("이", "VCP", 1, 1), ("야", "EF", 1, 2)])
    assert [(s.start, s.end, s.lemma) for s in segments] == [(0, 1, "뭐"), (1, 2, "이+야")]


def test_trailing_zero_length_morpheme_is_kept():
    segments = merge_morphemes([("학생", "NNG", 0, 2), ("이", "VCP", 2, 2)])
    assert [(s.start, s.end, s.lemma) for s in segments] == [(0, 2, "학생+이")]


@pytest.mark.parametrize(
    "text",
    [
        "금융인증서갱신했어요",
        "뭐야  공인인증서랑 otp\n필요해?",
        "됐어요 ㅋㅋ!!",
        "  앞뒤 공백도 그대로  ",
        "인증셔 갱싱 어떻해여 ㅠㅠ",
        "🙂 이모지와 emoji 123-456",
    ],
)
def test_doc_rebuilds_the_text_exactly_and_tokens_never_overlap(nlp, text):
    doc = nlp(text)
    assert doc.text == text
    previous_end = 0
    for token in doc:
        assert token.text, "empty token"
        assert token.idx >= previous_end
        assert text[token.idx : token.idx + len(token.text)] == token.text
        previous_end = token.idx + len(token.text)


def test_contraction_gets_normalized_lemma_and_tags(nlp):
    doc = nlp("갱신했어요")
    assert [(t.text, t.lemma_, t.tag_) for t in doc] == [
        ("갱신", "갱신", "NNG"),
        ("했", "하+었", "XSV+EP"),
        ("어요", "어요", "EF"),
    ]
    assert doc[0].pos_ == "NOUN"


@pytest.mark.parametrize("word", ["금융인증서", "공동인증서", "스타뱅킹", "이체확인증", "재발급"])
def test_domain_words_stay_whole(nlp, word):
    doc = nlp(f"{word}는 어떻게 해요")
    assert doc[0].text == word


def test_entity_ruler_spans_align_with_characters(nlp):
    text = "kb스타뱅킹에서 공인인증서 말고 금융인증서 쓰려면 otp 필요해요?"
    doc = nlp(text)
    found = {(e.label_, text[e.start_char : e.end_char]) for e in doc.ents}
    assert found == {
        ("channel", "kb스타뱅킹"),
        ("cert_type", "공인인증서"),
        ("cert_type", "금융인증서"),
        ("security_medium", "otp"),
    }


def test_rasa_spacy_tokenizer_gets_lemmas_and_pos(nlp):
    from rasa.nlu.constants import SPACY_DOCS
    from rasa.nlu.tokenizers.spacy_tokenizer import SpacyTokenizer
    from rasa.shared.nlu.constants import TEXT
    from rasa.shared.nlu.training_data.message import Message

    text = "새폰에서 인증서 쓰려면"
    message = Message(data={TEXT: text, SPACY_DOCS[TEXT]: nlp(text)})
    tokens = SpacyTokenizer(SpacyTokenizer.get_default_config()).tokenize(message, TEXT)
    assert all(text[t.start : t.end] == t.text for t in tokens)
    assert [t.lemma for t in tokens][:3] == ["새", "휴대폰", "에서"]
    assert tokens[0].data["pos"] == "MM"


def test_known_variants_share_a_lemma_but_keep_their_text(nlp):
    doc = nlp("비번 까먹음")
    assert (doc[0].text, doc[0].lemma_) == ("비번", "비밀번호")


@pytest.mark.parametrize("text, word, lemma", [
    # 알뜰폰 (a budget carrier: verification trouble) must not become 알뜰 + 휴대폰 through the 폰 alias.
    ("알뜰폰인데 인증 문자가 안 와요", "알뜰폰", "알뜰폰"),
    ("국민인증서랑 뭐가 달라요", "국민인증서", "국민인증서"),
    ("핀번호 까먹음", "핀번호", "비밀번호"),
    ("pin 번호 바꿔줘", "pin", "비밀번호"),
    ("어플에서 발급돼요?", "어플", "앱"),
    ("외장하드에 넣어 둘 수 있나요", "외장하드", "외장하드"),
    ("하드디스크 어디 폴더에 있어요", "하드디스크", "외장하드"),
    # English words in Latin letters share the Korean lemma, whatever their case.
    ("금융인증서 PIN change 하는 방법", "PIN", "비밀번호"),
    ("금융인증서 PIN change 하는 방법", "change", "변경"),
    ("인증서 Expired라고 떠요", "Expired", "만료"),
    ("kb star banking에서 renew 메뉴", "renew", "갱신"),
    ("hometax 로그인 돼요?", "hometax", "홈택스"),
    ("인증서 Delete 하려면", "Delete", "삭제"),
])
def test_domain_words_stay_whole_and_variants_share_a_lemma(nlp, text, word, lemma):
    doc = nlp(text)
    assert {t.text: t.lemma_ for t in doc}.get(word) == lemma
    assert doc.text == text  # the surface text is kept as typed


@pytest.mark.parametrize("text, surface, lemma", [
    ("인증서 발급 받는 방 법", "방 법", "방법"),
    ("금융인증서 갱 신하고 싶어요", "갱 신", "갱신"),
    ("인증 서 비밀번호를 잊어버렸어요", "인증 서", "인증서"),
])
def test_a_word_typed_with_one_stray_space_is_read_as_the_word(nlp, text, surface, lemma):
    """morphology.SPACE_TOLERANCE: a hurried "갱 신" is 갱신 (its lemma), while the token keeps the text as
    typed, so offsets stay true; without it Kiwi read two fragments (갱, 신)."""
    doc = nlp(text)
    assert doc.text == text
    token = next(t for t in doc if t.text == surface)
    assert token.lemma_ == lemma
    assert text[token.idx:token.idx + len(token.text)] == surface


@pytest.mark.parametrize("text", ["kb모바일 인증서랑 금융인증서 같은 건가요?", "모바일 인증서 말고 금융인증서"])
def test_a_spaced_synonym_is_found_whether_kiwi_reads_one_word_or_two(nlp, text):
    found = {(e.label_, e.text) for e in nlp(text).ents}
    assert ("security_medium", "모바일 인증서") in found and ("cert_type", "금융인증서") in found


def test_the_projects_tokenizer_gives_spacy_tokenizers_tokens_with_the_same_fingerprints(nlp):
    from rasa.nlu.constants import SPACY_DOCS
    from rasa.nlu.tokenizers.spacy_tokenizer import SpacyTokenizer
    from rasa.shared.nlu.constants import TEXT
    from rasa.shared.nlu.training_data.message import Message

    from nlu_components.spacy_tokens import FingerprintOnceSpacyTokenizer

    for text in ("새폰에서 인증서 쓰려면", "KB모바일인증서랑 금융인증서 뭐가 달라요?", "갱 신 어떻게 해요"):
        message = Message(data={TEXT: text, SPACY_DOCS[TEXT]: nlp(text)})
        theirs = SpacyTokenizer(SpacyTokenizer.get_default_config()).tokenize(message, TEXT)
        ours = FingerprintOnceSpacyTokenizer(FingerprintOnceSpacyTokenizer.get_default_config()).tokenize(message, TEXT)
        assert [(t.text, t.start, t.end, t.lemma, t.data) for t in ours] == \
            [(t.text, t.start, t.end, t.lemma, t.data) for t in theirs]
        assert [t.fingerprint() for t in ours] == [t.fingerprint() for t in theirs]


def test_a_token_forgets_its_fingerprint_when_it_changes():
    from rasa.nlu.tokenizers.tokenizer import Token

    from nlu_components.spacy_tokens import FingerprintOnceToken

    token = FingerprintOnceToken("인증서", 0, lemma="인증서", data={"pos": "NNG"})
    first = token.fingerprint()
    assert first == Token("인증서", 0, lemma="인증서", data={"pos": "NNG"}).fingerprint()
    token.set("pos", "NNP")
    assert token.fingerprint() == Token("인증서", 0, lemma="인증서", data={"pos": "NNP"}).fingerprint() != first
    token.lemma = "금융인증서"
    assert token.fingerprint() == Token("인증서", 0, lemma="금융인증서", data={"pos": "NNP"}).fingerprint()


def test_tokens_sharing_one_data_dict_each_get_their_own():
    """Rasa's token-pattern split gives the pieces of a word one shared data dict: a set() on one piece must
    not change a sibling's data behind its cached fingerprint."""
    from rasa.nlu.tokenizers.tokenizer import Token

    from nlu_components.spacy_tokens import FingerprintOnceToken

    shared = {"pos": "NNG"}
    left, right = (FingerprintOnceToken.of(Token(text, start, data=shared)) for text, start in (("금융", 0), ("인증서", 2)))
    before = right.fingerprint()
    left.set("pos", "NNP")
    assert right.get("pos") == "NNG" and right.fingerprint() == before


def test_two_loaded_pipelines_share_one_kiwi(nlp, tmp_path):
    # Rasa 3.6 loads the spaCy pipeline once per SpacyNLP graph node (two in a served model); each load
    # used to build its own Kiwi (~230 MiB of a 1.47 GiB Rasa process).
    import spacy
    from rasa.nlu.utils.spacy_utils import SpacyNLP

    nlp.to_disk(tmp_path / "again")
    second = SpacyNLP.load_model(str(tmp_path / "again")).model
    third = spacy.load(tmp_path / "again")
    assert second("인증서 갱신").text == "인증서 갱신"
    assert second.tokenizer.analyzer is nlp.tokenizer.analyzer is third.tokenizer.analyzer


def test_different_user_words_get_their_own_analyzer():
    from korean_nlp.morphology import shared_analyzer

    plain = shared_analyzer([("금인", "NNP")])
    assert shared_analyzer([("금인", "NNP")]) is plain
    assert shared_analyzer([("금인", "NNG")]) is not plain


def test_an_analyzer_no_pipeline_holds_is_freed():
    import gc
    import weakref

    from korean_nlp.morphology import shared_analyzer

    gone = weakref.ref(shared_analyzer([("버려질단어", "NNP")]))
    gc.collect()
    assert gone() is None, "a replaced model's Kiwi (~230 MiB) must not stay alive"


def test_the_shared_analyzer_gives_every_thread_the_same_analysis(nlp):
    from concurrent.futures import ThreadPoolExecutor

    texts = ["금융인증서갱신했어요", "공인인증서랑 otp 필요해?", "인증셔 갱싱 어떻해여 ㅠㅠ", "갱 신 방 법 알려 주세요"] * 25
    alone = [[(t.text, t.lemma_) for t in nlp(text)] for text in texts]
    with ThreadPoolExecutor(max_workers=4) as pool:
        together = list(pool.map(lambda text: [(t.text, t.lemma_) for t in nlp(text)], texts))
    assert together == alone

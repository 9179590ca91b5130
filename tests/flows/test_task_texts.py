"""Every response, rendered with real values for every placeholder, reads as correct Korean.

Particles after numbers, names and other filled values must match the final sound of what
precedes them as it is read aloud (숫자 17을, 2를, 010으로, OTP나). A particle written right after
a placeholder must be right for every value the placeholder can take; otherwise the action has
to choose it (actions/korean_text.py).
"""
import re
from itertools import product

import pytest

from actions.certificate_lookup import STATE_WORDS, device_lines
from actions.flows import FLOWS
from actions.flows.status import _note, status_lines
from actions.korean_text import final_consonant, korean_date, pair_of, particle, with_particle
from actions.task_steps import account_password_length
from certpolicy import load_policy
from tests.flows.render import PLACEHOLDER, fill, policy_values
from tests.training_data import ROOT, _read_yaml, responses

TASK_TEXTS = ROOT / "data" / "responses" / "task_flows.yml"
TITLES = [flow.title for flow in FLOWS.values()]


def _status_samples():
    samples = []
    for state, days in (("active", 400), ("expiring", 12), ("expired", 0), ("locked", 300)):
        cert = {"cert_state": state, "cert_expires_on": korean_date("2027-04-01"), "cert_days_left": days,
                "renewal_opens_on": korean_date("2027-03-02")}
        samples.append(status_lines(cert, 2))
    return samples


# Real values the actions and the policy give each placeholder (several, so both particle forms occur).
SAMPLES = {
    "step_label": ["[1/4] 본인 확인", "[2/3] 계좌 비밀번호", "[3/3] 인증서 비밀번호 정하기"],
    "masked_phone": ["010-****-2222", "010-****-5678"],
    "ars_digits": ["37", "40", "12", "05"],
    "reason": ["전화에서 숫자를 여러 번 잘못 눌렀어요.", "확인 시간이 지났어요."],
    "customer_name": ["김민준", "이서연", "박하나", "Kim Minjun"],
    "code_length": [load_policy().sms_code_length],
    "remaining_attempts": [1, 2, 3, 4],
    "cert_expires_on": [korean_date("2027-04-01"), korean_date("2026-12-05")],
    "new_expires_on": [korean_date("2030-04-01"), korean_date("2029-12-05")],
    "renewal_opens_on": [korean_date("2027-03-02"), korean_date("2026-11-05")],
    "cert_days_left": [0, 10, 23, 365],
    "days_until_open": [1, 3, 30, 100],
    "cert_state_word": list(STATE_WORDS.values()),
    "status_lines": _status_samples(),
    "state_note": [_note(state) for state in ("active", "expiring", "expired", "locked")],
    "device_count": [0, 1, 2, 3, 5],
    "device_list": [device_lines([]), device_lines([{"name": "새 휴대폰"}, {"name": "회사 노트북"}])],
    "device_name": ["새 휴대폰", "회사 노트북", "아이패드"],
    "max_length": [20],
    "new_serial": ["3F9A2C7B1D", "A1B2C3D4E5"],
    # The actions pass titles with the particle already chosen (with_particle).
    "task_title": [with_particle(t, pair) for t in TITLES for pair in ("은/는", "을/를")],
    "cancel_task_title": [with_particle(t, "을/를") for t in TITLES],
    "switch_from_title": [with_particle(t, "을/를") for t in TITLES],
    "switch_to_title": [with_particle(t, "으로/로") for t in TITLES],
    **{name: [value] for name, value in policy_values().items()},
    "account_password_length": [account_password_length()],
}

# A particle right after a number or Latin word in rendered text; longest forms first.
_FORMS = "이에요|예요|으로|이나|을|를|이|가|은|는|과|와|로|나"
NUMBER_PARTICLE = re.compile(r"(?<![\d.])(\d+)(" + _FORMS + r")(?![가-힣])")
LATIN_PARTICLE = re.compile(r"\b([A-Za-z]{2,})(" + _FORMS + r")(?![가-힣])")
PLACEHOLDER_PARTICLE = re.compile(r"\{([a-z_]+)\}(" + _FORMS + r")(?![가-힣])")


def _texts():
    for name, variations in sorted(responses().items()):
        for number, variation in enumerate(variations):
            if variation.get("text"):
                yield f"{name}#{number}", variation["text"]


def test_the_particle_helper_reads_numbers_and_words_aloud():
    cases = {("숫자 17", "을/를"): "을", ("2", "을/를"): "를", ("1", "을/를"): "을", ("10", "을/를"): "을",
             ("5", "이/가"): "가", ("3", "은/는"): "은", ("4", "과/와"): "와", ("7", "으로/로"): "로",
             ("010", "으로/로"): "으로", ("서울", "으로/로"): "로", ("갱신", "을/를"): "을", ("비밀번호", "을/를"): "를",
             ("OTP", "이나/나"): "나", ("URL", "이/가"): "이", ("김민준", "이에요/예요"): "이에요",
             ("100", "이/가"): "이", ("1000", "을/를"): "을", ("9", "은/는"): "는", ("6", "이나/나"): "이나"}
    assert {key: particle(*key) for key in cases} == cases
    assert final_consonant("KB국민은행") != 0 and pair_of("를") == "을/를"


def test_every_placeholder_has_real_sample_values():
    missing = {(name, field) for name, text in _texts() for field in PLACEHOLDER.findall(text) if field not in SAMPLES}
    assert missing == set()


def test_particles_after_placeholders_fit_every_value():
    wrong = []
    for name, text in _texts():
        for field, form in PLACEHOLDER_PARTICLE.findall(text.replace("**", "")):
            pair = pair_of(form)
            for value in SAMPLES[field]:
                if particle(str(value), pair) != form:
                    wrong.append((name, field, value, form))
    assert wrong == []


@pytest.mark.parametrize("round_", range(4))
def test_particles_after_numbers_and_latin_words_in_every_rendered_response(round_):
    """Render everything with the round-th sample of each placeholder (cycling), then read the particles."""
    wrong = []
    for name, text in _texts():
        values = {field: SAMPLES[field][round_ % len(SAMPLES[field])] for field in PLACEHOLDER.findall(text)}
        rendered = fill(text, values).replace("**", "")  # bold marks do not change how it is read
        for pattern in (NUMBER_PARTICLE, LATIN_PARTICLE):
            for word, form in pattern.findall(rendered):
                if particle(word, pair_of(form)) != form:
                    wrong.append((name, word + form))
    assert wrong == []


def test_task_texts_keep_one_polite_ending_style_and_no_robotic_hedges():
    """해요체 with "-해 주세요"; no 합쇼체 orders, bare "-하세요" commands or "이 도우미는 … 안내해요"."""
    offenders = []
    for name, variations in _read_yaml(TASK_TEXTS)["responses"].items():
        for variation in variations:
            text = variation.get("text", "")
            for pattern in (r"하십시오", r"바랍니다", r"(?<![주마])세요(?=[.!?]?(\s|$))", r"이 도우미는", r"습니다\."):
                if re.search(pattern, text, flags=re.M):
                    offenders.append((name, pattern))
    assert offenders == []


def test_every_task_sentence_ends_properly():
    """No sentence cut off mid-way: each line ends with a sentence ending, a list item or a marker."""
    offenders = []
    endings = ("요", "요.", "요?", "요!", ").", ")", ":", "**", "}")
    for name, variations in _read_yaml(TASK_TEXTS)["responses"].items():
        for variation in variations:
            for line in variation.get("text", "").strip().splitlines():
                line = line.strip()
                if not line or line.startswith(("-", "**", "{")) or re.match(r"^\d\.", line):
                    continue
                if not line.endswith(endings):
                    offenders.append((name, line))
    assert offenders == []


@pytest.mark.parametrize("field", ["cert_expires_on", "new_expires_on", "renewal_opens_on"])
def test_dates_are_samples_of_what_the_actions_store(field):
    """The lookup stores dates as they are read ("2027년 4월 1일"), never ISO."""
    from actions.certificate_lookup import certificate_slots

    slots = certificate_slots({"serial": "x", "state": "active", "expires_on": "2027-04-01", "days_left": 100,
                               "renewal_opens_on": "2027-03-02", "devices": []})
    assert re.fullmatch(r"\d{4}년 \d{1,2}월 \d{1,2}일", slots[field])


def test_every_combination_of_status_lines_shows_only_what_applies():
    for state, days in product(("expired", "locked"), (0, 5)):
        lines = status_lines({"cert_state": state, "cert_expires_on": "2027년 4월 1일", "cert_days_left": days,
                              "renewal_opens_on": "2027년 3월 2일"}, 1)
        assert "남음" not in lines and "갱신 가능일" not in lines and "2027년 4월 1일" in lines

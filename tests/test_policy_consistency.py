"""Answers and the policy file agree: numbers come only from certpolicy/policy.yml."""
import re
import string

import pytest

from certpolicy import load_policy
from tests.training_data import responses

POLICY = load_policy()
VALUES = POLICY.template_values()

# How each policy number would read if someone typed it into an answer by hand.
LITERAL_FORMS = {
    "validity_years": r"{}\s*년",
    "renewal_window_days": r"{}\s*일",
    "pin_length": r"{}\s*자리",
    "pin_lock_threshold": r"{}\s*(회|번)",
    "max_devices": r"{}\s*대",
    "sms_code_ttl_minutes": r"{}\s*분",
}


def _texts():
    for name, variants in responses().items():
        for variant in variants:
            yield name, variant.get("text", "")


def _placeholders(text):
    return {field for _, field, _, _ in string.Formatter().parse(text) if field}


def test_no_policy_number_is_written_by_hand():
    offenders = []
    for name, text in _texts():
        if POLICY.customer_center_phone in text:
            offenders.append((name, POLICY.customer_center_phone))
        for field, pattern in LITERAL_FORMS.items():
            if re.search(r"(?<![\d{])" + pattern.format(re.escape(str(VALUES[field]))), text):
                offenders.append((name, field))
    assert offenders == []


def _values_actions_pass():
    """Names the custom actions pass to responses (`say(..., device_list=...)`) or set as slots."""
    from pathlib import Path

    import yaml

    root = Path(__file__).resolve().parents[1]
    names = set(yaml.safe_load((root / "domain.yml").read_text(encoding="utf-8"))["slots"])
    for path in (root / "actions").rglob("*.py"):
        names.update(re.findall(r"\b([a-z_]+)=", path.read_text(encoding="utf-8")))
    return names


def test_every_placeholder_is_a_policy_value_or_supplied_by_the_actions():
    known = set(VALUES) | _values_actions_pass()
    unknown = {(name, p) for name, text in _texts() for p in _placeholders(text) if p not in known}
    assert unknown == set()


def test_faq_answers_take_numbers_only_from_the_policy():
    unknown = {(name, p) for name, text in _texts() if name.startswith("utter_faq/")
               for p in _placeholders(text) if p not in VALUES}
    assert unknown == set()


@pytest.mark.parametrize(
    "response, expected",
    [
        ("utter_faq/validity", lambda p: f"{p.validity_years}년"),
        ("utter_faq/renew_period", lambda p: f"{p.renewal_window_days}일"),
        ("utter_faq/password_locked", lambda p: f"{p.pin_lock_threshold}"),
        ("utter_faq/customer_center", lambda p: p.customer_center_phone),
        ("utter_handoff_phone_only", lambda p: p.customer_center_phone),
    ],
)
def test_rendered_answers_state_the_policy_numbers(response, expected):
    from rasa.core.nlg.interpolator import interpolate_text

    rendered = interpolate_text(responses()[response][0]["text"], VALUES)
    assert expected(POLICY) in rendered
    assert "{" not in rendered


def test_backend_and_answers_read_the_same_file():
    from certpolicy import POLICY_FILE
    from certpolicy.rasa_nlg import PolicyNaturalLanguageGenerator

    nlg = PolicyNaturalLanguageGenerator()
    assert nlg.policy_values == load_policy(POLICY_FILE).template_values()

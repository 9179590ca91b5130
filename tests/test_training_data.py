"""Checks on the hand-written data: coverage, size, and no example claimed by two labels."""
from collections import Counter

import pytest
import yaml

from actions.topics import faq_titles, task_titles
from tests.training_data import ROOT, normalized, responses, training_examples

MIN_EXAMPLES = 25
DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
FAQ_KEYS = sorted(faq_titles())
NON_FAQ_INTENTS = sorted(i for i in DOMAIN["intents"] if i != "faq")


def test_faq_keys_are_exactly_the_contract():
    assert len(FAQ_KEYS) >= 39  # the 24 original keys and the 15 of issue 11
    trained = sorted(label.split("/", 1)[1] for label in training_examples() if label.startswith("faq/"))
    assert trained == FAQ_KEYS


@pytest.mark.parametrize("key", FAQ_KEYS)
def test_every_faq_key_has_an_answer_and_enough_examples(key):
    assert f"utter_faq/{key}" in responses()
    assert len(training_examples().get(f"faq/{key}", [])) >= MIN_EXAMPLES


@pytest.mark.parametrize("intent", NON_FAQ_INTENTS)
def test_every_intent_has_enough_examples(intent):
    assert len(training_examples().get(intent, [])) >= MIN_EXAMPLES


def test_task_intents_have_a_guided_flow_and_titles():
    from actions.flows import FLOWS

    for intent in task_titles():
        assert intent in DOMAIN["intents"]
        assert intent in FLOWS, f"{intent} has no flow in actions/flows/"


def test_no_example_belongs_to_two_labels():
    owners = {}
    clashes = []
    for label, examples in training_examples().items():
        for example in examples:
            key = normalized(example)
            if key in owners and owners[key] != label:
                clashes.append((example, owners[key], label))
            owners.setdefault(key, label)
    assert clashes == []


def test_no_duplicate_examples_within_a_label():
    duplicates = {
        label: [text for text, count in Counter(map(normalized, examples)).items() if count > 1]
        for label, examples in training_examples().items()
    }
    assert {label: d for label, d in duplicates.items() if d} == {}


def test_heldout_set_is_not_in_training_data():
    from tests.training_data import examples_by_label

    heldout = examples_by_label(sorted((ROOT / "tests").glob("nlu_heldout*.yml")))
    assert sum(map(len, heldout.values())) >= 150
    trained = {normalized(e) for examples in training_examples().values() for e in examples}
    leaked = [e for examples in heldout.values() for e in examples if normalized(e) in trained]
    assert leaked == []


def _dev_set_texts():
    from eval.evaluate import texts_in

    return {path.stem: texts_in(yaml.safe_load(path.read_text(encoding="utf-8")))
            for path in sorted((ROOT / "eval").glob("dev_*.yml"))}


def test_development_sets_are_not_in_training_data():
    """eval/dev_*.yml (the helper's tricky and unanswerable sets, one set per data author) measure
    unseen phrasing: tuned on, never trained on. Every file is checked, including new ones."""
    trained = {normalized(e) for examples in training_examples().values() for e in examples}
    dev = _dev_set_texts()
    assert len(dev["dev_tricky"]) >= 25 and len(dev["dev_unanswerable"]) >= 60
    for author in ("dev_c", "dev_d", "dev_e", "dev_h", "dev_i", "dev_j"):  # one set per data author (issue 11, part 3)
        assert len(dev.get(author, [])) >= 200, author
    leaked = {name: [t for t in texts if normalized(t) in trained] for name, texts in dev.items()}
    assert {name: texts for name, texts in leaked.items() if texts} == {}

"""RulePolicy with the state window (rasa_runtime.rule_state_window) predicts exactly what it predicts
with every state: the trained model, every step of the dialogue tests, and long conversations made by
chaining them (where the window really cuts)."""
from pathlib import Path

import pytest

from rasa_runtime import patches
from rasa_runtime.rule_state_window import WINDOW_ATTRIBUTE, recent_states

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "assistant.tar.gz"


@pytest.fixture(scope="module")
def trained():
    if not MODEL.exists():
        pytest.fail("no trained model: run `make train` (make test-chat does)")
    patches.apply()
    from rasa.core.agent import Agent
    from rasa.core.policies.rule_policy import RulePolicy
    from rasa.core.test import _create_data_generator

    agent = Agent.load(str(MODEL))
    nodes = agent.processor.graph_runner._instantiated_nodes.values()
    policy = next(n._component for n in nodes if isinstance(getattr(n, "_component", None), RulePolicy))
    stories = _create_data_generator(str(ROOT / "tests" / "stories"), agent,
                                     use_conversation_test_files=True).generate_story_trackers()
    return policy, agent.domain, [list(t.events) for t in stories]


def _conversations(stories):
    yield from stories
    for start in range(0, len(stories), 6):  # long conversations: six dialogue tests in a row
        yield [event for story in stories[start:start + 6] for event in story]


def _prediction(policy, tracker, domain, window):
    setattr(policy, WINDOW_ATTRIBUTE, window)
    p = policy.predict_action_probabilities(tracker, domain)
    return p.probabilities, p.events, p.hide_rule_turn, p.is_end_to_end_prediction, p.is_no_user_prediction


def test_loading_the_trained_policy_sets_a_window_shorter_than_the_conversations(trained):
    policy, _, stories = trained
    window = getattr(policy, WINDOW_ATTRIBUTE)
    assert window is not None and 2 <= window <= 8
    assert len(stories) >= 50


def test_every_prediction_is_the_same_with_and_without_the_window(trained):
    from rasa.shared.core.events import ActionExecuted
    from rasa.shared.core.trackers import DialogueStateTracker

    policy, domain, stories = trained
    window = getattr(policy, WINDOW_ATTRIBUTE)
    compared = cut = 0
    try:
        for events in _conversations(stories):
            for end, event in enumerate(events):
                if not isinstance(event, ActionExecuted):
                    continue
                tracker = DialogueStateTracker.from_events("window", events[:end], domain.slots)
                full_states = tracker.past_states(domain)
                assert recent_states(tracker, domain, window) == full_states[-window:]
                assert _prediction(policy, tracker, domain, window) == _prediction(policy, tracker, domain, None)
                compared += 1
                cut += len(full_states) > window
    finally:
        setattr(policy, WINDOW_ATTRIBUTE, window)
    assert compared >= 300 and cut >= 200  # the window really cut most of them

"""The runtime patches that need a trained model give the same results as Rasa's own code:

- RulePolicy with the state window (rasa_runtime.rule_state_window) predicts exactly what it predicts with
  every state: every step of the dialogue tests, and long conversations made by chaining them (where the
  window really cuts);
- the planned graph run (rasa_runtime.graph_run_plan) gives the same parse and the same prediction as
  dask's run of the same graph, for every development-set sentence and every dialogue-test step."""
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
    return policy, agent.domain, [list(t.events) for t in stories], agent


def _conversations(stories):
    yield from stories
    for start in range(0, len(stories), 6):  # long conversations: six dialogue tests in a row
        yield [event for story in stories[start:start + 6] for event in story]


def _prediction(policy, tracker, domain, window):
    setattr(policy, WINDOW_ATTRIBUTE, window)
    p = policy.predict_action_probabilities(tracker, domain)
    return p.probabilities, p.events, p.hide_rule_turn, p.is_end_to_end_prediction, p.is_no_user_prediction


def test_loading_the_model_froze_what_it_left_alive(trained):
    import gc
    policy, *_ = trained
    # rasa_runtime.frozen_model_heap wraps Agent.load_model: the loaded model is in the permanent
    # generation, so full collections no longer walk it.
    assert gc.get_freeze_count() > 100_000
    assert not any(obj is policy for obj in gc.get_objects(generation=2))


def test_loading_the_trained_policy_sets_a_window_shorter_than_the_conversations(trained):
    policy, _, stories, _ = trained
    window = getattr(policy, WINDOW_ATTRIBUTE)
    assert window is not None and 2 <= window <= 8
    assert len(stories) >= 50


def test_every_prediction_is_the_same_with_and_without_the_window(trained):
    from rasa.shared.core.events import ActionExecuted
    from rasa.shared.core.trackers import DialogueStateTracker

    policy, domain, stories, _ = trained
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


def test_a_growing_conversation_predicts_the_same_with_the_memoized_window(trained):
    """One tracker updated event by event (as Rasa's processor does), so the memo of its states is
    reused and must be dropped on every new event: same predictions as with every state."""
    from rasa.shared.core.events import ActionExecuted
    from rasa.shared.core.trackers import DialogueStateTracker

    policy, domain, stories, _ = trained
    window = getattr(policy, WINDOW_ATTRIBUTE)
    compared = 0
    try:
        for events in list(_conversations(stories))[-6:]:
            growing = DialogueStateTracker.from_events("memo", [], domain.slots)
            for event in events:
                if isinstance(event, ActionExecuted):
                    fresh = DialogueStateTracker.from_events("fresh", list(growing.events), domain.slots)
                    for _ in range(2):  # asked twice, as RulePolicy does after a user message
                        assert _prediction(policy, growing, domain, window) == _prediction(policy, fresh, domain, None)
                    compared += 1
                growing.update(event)
    finally:
        setattr(policy, WINDOW_ATTRIBUTE, window)
    assert compared >= 100


def _parse_both_ways(agent, text):
    """The NLU graph's parse of `text` by dask's run and by the planned run (fresh inputs each)."""
    from rasa.core.channels import UserMessage
    from rasa_runtime import graph_run_plan

    runner, target = agent.processor.graph_runner, agent.processor.model_metadata.nlu_target
    return [run(runner, inputs={"__message__": [UserMessage(text)]}, targets=[target])[target][0]
            .as_dict(only_output_properties=True)
            for run in (graph_run_plan.ORIGINAL_RUN, graph_run_plan.run_planned)]


def test_the_planned_graph_run_parses_and_predicts_exactly_like_dask(trained):
    from eval.evaluate import dev_labelled_sets
    from rasa.shared.core.events import ActionExecuted
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa_runtime import graph_run_plan

    _, domain, stories, agent = trained
    runner, target = agent.processor.graph_runner, agent.processor.model_metadata.core_target
    texts = [text for examples in dev_labelled_sets().values() for text, _ in examples][:400]
    assert len(texts) >= 300
    for text in texts:
        with_dask, planned = _parse_both_ways(agent, text)
        assert planned == with_dask, text
    predictions = 0
    for events in stories[:60]:
        for end, event in enumerate(events):
            if not isinstance(event, ActionExecuted):
                continue
            tracker = DialogueStateTracker.from_events("plan", events[:end], domain.slots)
            outputs = [run(runner, inputs={"__tracker__": tracker}, targets=[target])[target]
                       for run in (graph_run_plan.ORIGINAL_RUN, graph_run_plan.run_planned)]
            assert outputs[0] == outputs[1]
            predictions += 1
    assert predictions >= 100


def test_an_input_named_like_a_node_is_refused_by_both_runs(trained):
    from rasa.engine.exceptions import GraphRunError
    from rasa_runtime import graph_run_plan

    _, _, _, agent = trained
    runner = agent.processor.graph_runner
    target = agent.processor.model_metadata.nlu_target
    for run in (graph_run_plan.ORIGINAL_RUN, graph_run_plan.run_planned):
        with pytest.raises(GraphRunError):
            run(runner, inputs={"__message__": target}, targets=[target])


def test_tracker_copies_without_replay_equal_rasas_on_every_dialogue_test(trained):
    """rasa_runtime.tracker_copy on real conversations (forms, loops, task slots of this assistant's
    domain): after every event of every dialogue test and of long chained conversations, the copy equals
    Rasa's replayed copy field by field and gives the policies the same states."""
    from rasa.shared.core.trackers import DialogueStateTracker

    from tests.tracker_copies import assert_same_copy

    _, domain, stories, _ = trained
    compared = 0
    for events in _conversations(stories):
        growing = DialogueStateTracker.from_events("copies", [], domain.slots)
        for event in events:
            growing.update(event)
            assert_same_copy(growing, domain if compared % 7 == 0 else None)  # states: every 7th (slow)
            compared += 1
    assert compared >= 3000


def test_the_forms_temporary_tracker_without_replay_equals_rasas_on_every_dialogue_test(trained):
    """rasa_runtime.form_tracker on real conversations: wherever a dialogue test (or a long chain of
    them) has the task form active, the temporary tracker the form builds for its validation call and
    for its next question equals the one Rasa rebuilds from all events, field by field and by the
    states the policies read."""
    from unittest import mock

    from rasa.core.actions.forms import FormAction
    from rasa.shared.core.events import SlotSet
    from rasa.shared.core.trackers import DialogueStateTracker

    from rasa_runtime import form_tracker
    from tests.tracker_copies import assert_same_tracker

    _, domain, stories, _ = trained
    form = FormAction("task_form", None)
    compared = without_replay = 0
    for events in _conversations(stories):
        growing = DialogueStateTracker.from_events("form-copies", [], domain.slots)
        for event in events:
            growing.update(event)
            if growing.active_loop_name != "task_form":
                continue
            extra = [SlotSet("customer_name", "김민준"), SlotSet("requested_slot", "birth_date")]
            for added in ([], extra):
                with mock.patch("time.time", return_value=1_800_000_000.0):
                    fast = form_tracker.temporary_tracker(form, growing, added, domain)
                    replayed = form_tracker.ORIGINAL(form, growing, added, domain)
                assert_same_tracker(fast, replayed, growing, domain if compared % 7 == 0 else None,
                                    new_events=2 + len(added))
                compared += 1
            without_replay += not form_tracker._replay_would_differ(growing, domain)
    assert compared >= 1000 and 2 * without_replay >= 0.9 * compared, (compared, without_replay)  # the copy, not the fallback

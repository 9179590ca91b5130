"""The performance patches of rasa_runtime change no result: same validation verdicts and messages,
same event classes, same fallbacks for unknown names."""
import copy

import pytest
from jsonschema import ValidationError, validate
from rasa.core.actions.action import RemoteAction
from rasa.shared.core import events as rasa_events

from rasa_runtime import patches

GOOD = {"events": [{"event": "slot", "name": "requested_slot", "value": "customer_name"}],
        "responses": [{"response": "utter_ask_customer_name"}, {"text": "안녕하세요", "buttons": []}]}
# Valid and invalid shapes: the verdict must match plain jsonschema.validate on every one.
CANDIDATES = [GOOD, {"events": "not a list"}, {"responses": "nope"}, {"events": [{"name": "x"}]},
              {"events": [{"event": "slot", "name": 5}]}, {"responses": [{"text": 3}], "events": []}, {},
              {"events": [{"event": "followup", "name": "action_listen"}], "responses": []}]


@pytest.fixture(scope="module")
def patched():
    original_validate = RemoteAction._validate_action_result
    original_resolve = rasa_events.Event.resolve_by_type
    names = {cls.type_name: cls for cls in rasa_events.Event.__subclasses__()}
    patches.apply()
    yield original_validate, original_resolve, names


def test_action_results_validated_exactly_as_before(patched):
    action = RemoteAction("validate_task_form", None)
    assert action._validate_action_result(copy.deepcopy(GOOD)) is True
    invalid = 0
    for candidate in CANDIDATES:
        try:
            validate(copy.deepcopy(candidate), RemoteAction.action_response_format_spec())
        except ValidationError as plain:
            invalid += 1
            with pytest.raises(ValidationError) as ours:
                action._validate_action_result(copy.deepcopy(candidate))
            assert ours.value.message.startswith(plain.message)
            assert "Failed to validate Action server response" in ours.value.message
        else:
            assert action._validate_action_result(copy.deepcopy(candidate)) is True
    assert invalid >= 3  # the comparison covered rejections, not only acceptances


def test_event_lookup_gives_the_same_classes_and_fallbacks(patched):
    _, original_resolve, _ = patched
    for name in ("user", "bot", "slot", "action", "active_loop", "session_started", "restart", "followup"):
        assert rasa_events.Event.resolve_by_type(name) is original_resolve(name)
        assert rasa_events.Event.resolve_by_type(name) is original_resolve(name)  # cached path
    assert rasa_events.Event.resolve_by_type("topic") is None
    assert rasa_events.Event.resolve_by_type("no-such-event", rasa_events.SlotSet) is rasa_events.SlotSet
    with pytest.raises(ValueError):
        rasa_events.Event.resolve_by_type("no-such-event")
    restored = rasa_events.Event.from_parameters({"event": "slot", "name": "x", "value": "y"})
    assert restored == rasa_events.SlotSet("x", "y")


def _every_event_shape():
    """One serialised event of every kind Rasa knows, as an action server would send it."""
    from rasa.shared.core.events import (ActionExecuted, ActionExecutionRejected, ActionReverted,
                                         ActiveLoop, AgentUttered, AllSlotsReset, BotUttered,
                                         ConversationPaused, ConversationResumed, EntitiesAdded,
                                         FollowupAction, LoopInterrupted, ReminderCancelled,
                                         ReminderScheduled, Restarted, SessionStarted, SlotSet,
                                         StoryExported, UserUttered, UserUtteranceReverted)
    from datetime import datetime

    made = [UserUttered("안녕하세요", {"name": "greet", "confidence": 0.9}), BotUttered("네", {"buttons": []}),
            SlotSet("task", "renew"), ActionExecuted("action_listen"), ActiveLoop("task_form"),
            ActiveLoop(None), FollowupAction("action_listen"), Restarted(), SessionStarted(),
            AllSlotsReset(), ConversationPaused(), ConversationResumed(), UserUtteranceReverted(),
            ActionReverted(), StoryExported(), ActionExecutionRejected("task_form"),
            LoopInterrupted(True), AgentUttered("x"), EntitiesAdded([{"entity": "e", "value": "v"}]),
            ReminderScheduled("EXTERNAL_x", datetime(2030, 1, 1)), ReminderCancelled("r")]
    return [event.as_dict() for event in made]


def _variants(event):
    """Broken versions of a valid event: an unknown kind, no kind, wrong value types."""
    yield {**event, "event": "no_such_event"}
    yield {k: v for k, v in event.items() if k != "event"}
    for key in event:
        if key != "event":
            yield {**event, key: 12345}
            yield {**event, key: {"nested": ["x"]}}


def test_event_alternatives_are_picked_by_their_constant(patched):
    from rasa_runtime.action_response_validation import discriminator_of

    alternatives = RemoteAction.action_response_format_spec()["properties"]["events"]["items"]["oneOf"]
    name, index = discriminator_of(alternatives)
    assert name == "event" and len(index) == len(alternatives) >= 20
    assert discriminator_of([{"properties": {"a": {"const": "x"}}}, {"properties": {"a": {"const": "x"}}}]) is None


def test_every_event_kind_gets_the_same_verdict_and_message(patched):
    """Valid events of every kind and hundreds of broken ones: same verdict as jsonschema.validate,
    and a rejection carries the same message."""
    action = RemoteAction("validate_task_form", None)
    schema = RemoteAction.action_response_format_spec()
    accepted = rejected = 0
    for event in _every_event_shape():
        for candidate in [event, *_variants(event)]:
            response = {"events": [candidate], "responses": []}
            try:
                validate(copy.deepcopy(response), schema)
            except ValidationError as plain:
                rejected += 1
                with pytest.raises(ValidationError) as ours:
                    action._validate_action_result(copy.deepcopy(response))
                assert ours.value.message.startswith(plain.message)
            else:
                accepted += 1
                assert action._validate_action_result(copy.deepcopy(response)) is True
    assert accepted >= 40 and rejected >= 40


def _deepcopy_calls_outside_debug_lines(module_name):
    """`copy.deepcopy(...)` calls of a module's source that are not arguments of `structlogger.debug`."""
    import ast
    import importlib
    import inspect

    tree = ast.parse(inspect.getsource(importlib.import_module(module_name)))
    inside_debug = set()
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "debug" and getattr(node.func.value, "id", "") == "structlogger"):
            inside_debug.update(id(n) for n in ast.walk(node))
    return [node.lineno for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr == "deepcopy" and getattr(node.func.value, "id", "") == "copy"
            and id(node) not in inside_debug]


def test_only_modules_whose_deep_copies_feed_debug_lines_are_changed():
    from rasa_runtime.log_argument_copies import LOG_ONLY_DEEPCOPY_MODULES

    for name in LOG_ONLY_DEEPCOPY_MODULES:
        assert _deepcopy_calls_outside_debug_lines(name) == [], name
    # the module that copies for real is recognised as such, and left alone
    assert _deepcopy_calls_outside_debug_lines("rasa.core.actions.action") != []


def test_debug_lines_still_get_copies_when_debug_logging_is_on(patched):
    import logging

    import structlog
    from rasa.core import processor

    before = structlog.get_config()["wrapper_class"]
    value = {"events": [{"event": "slot"}]}
    try:
        structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.INFO))
        assert processor.copy.deepcopy(value) is value  # nobody reads it: no copy
        structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.DEBUG))
        copied = processor.copy.deepcopy(value)
        assert copied == value and copied is not value and copied["events"] is not value["events"]
        assert processor.copy.copy is copy.copy  # the rest of the module is the real one
    finally:
        structlog.configure(wrapper_class=before)


def test_rule_states_are_built_once_per_conversation_length_and_each_caller_gets_its_own(monkeypatch):
    """RulePolicy asks for the same states twice after a user message (text, then intent): the
    second time comes from the memo; a new event recomputes; a caller deleting keys (as Rasa's
    featurizer does) does not change what the next caller gets."""
    from pathlib import Path

    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from rasa_runtime import rule_state_window

    domain = Domain.load(str(Path(__file__).resolve().parent.parent / "domain.yml"))
    tracker = DialogueStateTracker.from_events("memo", [
        ActionExecuted("action_listen"), UserUttered("갱신할래요", {"name": "renew_certificate", "confidence": 1.0}),
        ActionExecuted("task_form"), SlotSet("task", "renew_certificate"), ActionExecuted("action_listen"),
        UserUttered("네", {"name": "affirm", "confidence": 1.0})], domain.slots)
    built = []
    real = rule_state_window.recent_states
    monkeypatch.setattr(rule_state_window, "recent_states", lambda *a, **k: built.append(1) or real(*a, **k))

    first = rule_state_window.memoized_recent_states(tracker, domain, 4)
    assert first == real(tracker, domain, 4)
    del first[-1]["user"]["intent"]  # what the featurizer does when it predicts from the text
    second = rule_state_window.memoized_recent_states(tracker, domain, 4)
    assert len(built) == 1 and second == real(tracker, domain, 4) and second[-1]["user"]["intent"] == "affirm"

    tracker.update(ActionExecuted("utter_affirm_without_context"))
    third = rule_state_window.memoized_recent_states(tracker, domain, 4)
    assert len(built) == 2 and third == real(tracker, domain, 4) and third != second
    rule_state_window.memoized_recent_states(tracker, domain, 3)  # another window: its own states
    assert len(built) == 3


def test_a_tracker_copy_without_replay_equals_rasas_after_every_event(patched):
    """rasa_runtime.tracker_copy: after each event of a conversation touching every field events set
    (slots, a form loop interrupted and rejected, pauses, a follow-up, a restart, a new session), the copy
    equals Rasa's replayed copy field by field and shares nothing mutable with the original."""
    from rasa.shared.core import events as ev
    from rasa.shared.core.slots import AnySlot, TextSlot
    from rasa.shared.core.trackers import DialogueStateTracker

    from tests.tracker_copies import assert_same_copy

    def user(text, intent):
        return ev.UserUttered(text, {"name": intent, "confidence": 0.9}, [{"entity": "cert_kind", "value": "금융"}])

    slots = [TextSlot("task", mappings=[{}]), AnySlot("devices", mappings=[{}], initial_value=[])]
    conversation = [
        ev.ActionExecuted("action_session_start"), ev.SessionStarted(), ev.ActionExecuted("action_listen"),
        user("갱신할래요", "renew_certificate"), ev.EntitiesAdded([{"entity": "cert_kind", "value": "금융"}]),
        ev.ActionExecuted("task_form"), ev.SlotSet("task", "renew"), ev.SlotSet("devices", [{"id": 1}]),
        ev.ActionExecuted("task_form"), ev.ActiveLoop("task_form"), ev.SlotSet("requested_slot", "pin"),
        ev.BotUttered("비밀번호를 입력해 주세요", {"buttons": []}), ev.ActionExecuted("action_listen"),
        user("수수료 있어요?", "faq"), ev.DefinePrevUserUtteredFeaturization(True),
        ev.ActionExecutionRejected("task_form", "RulePolicy"), ev.LoopInterrupted(True),
        ev.ActionExecuted("utter_faq"), ev.FollowupAction("task_form"), ev.ActionExecuted("task_form"),
        ev.LoopInterrupted(False), ev.ConversationPaused(), ev.ConversationResumed(),
        ev.ActiveLoop(None), ev.AllSlotsReset(), ev.ActionExecuted("action_restart"), ev.Restarted(),
        ev.ActionExecuted("action_listen"), user("안녕", "greet"),
    ]
    for end in range(len(conversation) + 1):
        tracker = DialogueStateTracker.from_events("copy", conversation[:end], slots)
        assert_same_copy(tracker)
    bounded = DialogueStateTracker.from_events("bounded", conversation, slots, max_event_history=5)
    assert replay_free_copy_is_rasas(bounded)  # a history bound: Rasa's own copy runs


def replay_free_copy_is_rasas(tracker) -> bool:
    """True when the patch hands the copy to Rasa's replay (its result then equals Rasa's exactly)."""
    import math
    from unittest import mock

    with mock.patch.object(type(tracker), "travel_back_in_time", wraps=tracker.travel_back_in_time) as replay:
        tracker.copy()
    return replay.call_args == mock.call(math.inf)

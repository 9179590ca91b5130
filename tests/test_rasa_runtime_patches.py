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


def _form_trackers(form, tracker, extra, domain):
    """(the patched temporary tracker, Rasa's own) for the same input, made at one frozen instant (the
    events each side adds carry a timestamp)."""
    from unittest import mock

    from rasa_runtime import form_tracker

    with mock.patch("time.time", return_value=1_800_000_000.0):
        return (form_tracker.temporary_tracker(form, tracker, extra, domain),
                form_tracker.ORIGINAL(form, tracker, extra, domain))


def test_the_forms_temporary_tracker_without_replay_equals_rasas_after_every_event(patched):
    """rasa_runtime.form_tracker: at every point of a conversation through a form (slots, the loop
    started, interrupted, rejected and resumed, pauses, a follow-up), with no events and with a
    validation's events added, the temporary tracker equals the one Rasa rebuilds from all events; after
    a restart (Rasa keeps only what follows it) Rasa's own method runs."""
    from types import SimpleNamespace
    from unittest import mock

    from rasa.core.actions.forms import FormAction
    from rasa.shared.core import events as ev
    from rasa.shared.core.slots import AnySlot, TextSlot
    from rasa.shared.core.trackers import DialogueStateTracker

    from rasa_runtime import form_tracker
    from tests.tracker_copies import assert_same_tracker

    def user(text, intent):
        return ev.UserUttered(text, {"name": intent, "confidence": 0.9}, [], {"intent": {"name": intent},
                                                                               "text": text, "entities": []})

    domain = SimpleNamespace(slots=[TextSlot("task", mappings=[{}]), TextSlot("customer_name", mappings=[{}]),
                                    AnySlot("requested_slot", mappings=[{}]),
                                    AnySlot("devices", mappings=[{}], initial_value=[])])
    conversation = [
        ev.ActionExecuted("action_session_start"), ev.SessionStarted(), ev.ActionExecuted("action_listen"),
        user("갱신할래요", "renew_certificate"), ev.ActionExecuted("task_form"), ev.SlotSet("task", "renew"),
        ev.ActiveLoop("task_form"), ev.SlotSet("requested_slot", "customer_name"),
        ev.BotUttered("이름을 알려 주세요", {"buttons": []}), ev.ActionExecuted("action_listen"),
        user("홍길동", "inform"), ev.ActionExecuted("task_form"), ev.SlotSet("customer_name", "홍길동"),
        ev.SlotSet("devices", [{"id": 1}]), ev.SlotSet("requested_slot", "birth_date"),
        ev.ActionExecuted("action_listen"), user("수수료 있어요?", "faq"), ev.DefinePrevUserUtteredFeaturization(True),
        ev.ActionExecutionRejected("task_form", "RulePolicy"), ev.LoopInterrupted(True),
        ev.ActionExecuted("utter_faq"), ev.FollowupAction("task_form"), ev.ActionExecuted("task_form"),
        ev.LoopInterrupted(False), ev.ConversationPaused(), ev.ConversationResumed(),
        ev.ActionExecuted("action_listen"), user("1990년 1월 1일", "inform"),
    ]
    restart = [ev.ActiveLoop(None), ev.AllSlotsReset(), ev.ActionExecuted("action_restart"), ev.Restarted(),
               ev.ActionExecuted("action_listen"), user("갱신할래요", "renew_certificate"),
               ev.ActionExecuted("task_form"), ev.ActiveLoop("task_form")]
    form = FormAction("task_form", None)
    validation = [ev.SlotSet("customer_name", "김민준"), ev.BotUttered("확인했어요", {}),
                  ev.SlotSet("requested_slot", "mobile_number")]
    compared = 0
    for end in range(len(conversation) + 1):
        tracker = DialogueStateTracker.from_events("form", conversation[:end], domain.slots)
        for extra in ([], validation):
            fast, replayed = _form_trackers(form, tracker, extra, domain)
            assert_same_tracker(fast, replayed, tracker, new_events=2 + len(extra))
            compared += 1
    assert compared == 2 * (len(conversation) + 1)
    with mock.patch.object(form_tracker, "ORIGINAL", wraps=form_tracker.ORIGINAL) as rasas:
        for end in range(len(conversation) + 1, len(conversation) + len(restart) + 1):
            tracker = DialogueStateTracker.from_events("form", (conversation + restart)[:end], domain.slots)
            form_tracker.temporary_tracker(form, tracker, [], domain)
        assert rasas.call_count == len(restart) - 3  # from the Restarted event on
        # A timestamp that is not a number (replay_free_copy's fallback would stop there): Rasa's own too.
        odd = conversation[:12] + [ev.SlotSet("customer_name", "김민준", timestamp=float("nan"))]
        tracker = DialogueStateTracker.from_events("form", odd, domain.slots)
        with mock.patch("time.time", return_value=1_800_000_000.0):
            fast = form_tracker.temporary_tracker(form, tracker, [], domain)
        assert rasas.call_count == len(restart) - 2 and fast.get_slot("customer_name") == "김민준"


def test_a_slot_copy_is_copy_copy_for_every_slot_of_the_domain_and_defers_to_it_otherwise():
    """tracker_copy.slot_copy: for each slot class of this domain, a new object of the same class holding
    the very same attribute values, as `copy.copy` gives; a class with its own copy hook or `__slots__`
    is copied by `copy.copy` itself."""
    from unittest import mock

    from rasa.shared.core.domain import Domain
    from rasa.shared.core.slots import TextSlot

    from rasa_runtime import tracker_copy

    domain = Domain.load("domain.yml")
    for slot in domain.slots:
        slot.value = [{"serial": "ab"}] if slot.name == "devices" else slot.value
        ours, theirs = tracker_copy.slot_copy(slot), copy.copy(slot)
        assert type(ours) is type(theirs) and ours is not slot and vars(ours) == vars(theirs)
        assert all(vars(ours)[name] is value for name, value in vars(theirs).items())
        assert tracker_copy._copies_plainly(type(slot)), type(slot)

    class Hooked(TextSlot):
        def __copy__(self):
            return self

    class Slotted(TextSlot):
        __slots__ = ("extra",)

    for odd in (Hooked("a", mappings=[{}]), Slotted("b", mappings=[{}])):
        with mock.patch.object(tracker_copy.copy, "copy", wraps=copy.copy) as generic:
            tracker_copy.slot_copy(odd)
        assert generic.call_count == 1 and not tracker_copy._copies_plainly(type(odd))


def test_the_compiled_check_is_sure_only_of_what_jsonschema_accepts():
    """action_response_validation.compile_check: over every event kind, hundreds of broken variants and
    values of every JSON type in every field (bool for numbers, 1.0 for integers, nested junk), it never
    says "valid" where jsonschema.validate rejects; and it is sure of the valid responses our actions send
    (else the fast path would never run)."""
    import itertools
    import random

    from rasa_runtime.action_response_validation import compile_check

    schema = RemoteAction.action_response_format_spec()
    sure = compile_check(schema)
    odd_values = [None, True, False, 0, 1, -3, 1.0, 2.5, "", "x", [], ["x"], [1, "a"], {}, {"a": 1}, {"event": "slot"}]
    rng = random.Random(14)
    checked = sure_and_valid = 0

    from jsonschema.validators import validator_for

    plain = validator_for(schema)(schema)  # jsonschema's own validator, built once (validate() rebuilds it)

    def plain_verdict(candidate) -> bool:
        return plain.is_valid(candidate)

    candidates = []
    for event in _every_event_shape():
        candidates += [event, *_variants(event)]
        for key, value in itertools.product(list(event) + ["timestamp", "name", "value"], odd_values):
            candidates.append({**event, key: value})
        if isinstance(event.get("parse_data"), dict):
            for key, value in itertools.product(["intent", "entities", "intent_ranking", "text"], odd_values):
                candidates.append({**event, "parse_data": {**event["parse_data"], key: value}})
    for candidate in candidates:
        for response in ({"events": [candidate], "responses": []},
                         {"events": [candidate, rng.choice(candidates)], "responses": [rng.choice(odd_values)]},
                         {"events": candidate, "responses": []}, candidate):
            if sure(response):
                assert plain_verdict(copy.deepcopy(response)), response
                sure_and_valid += 1
            checked += 1
    assert checked >= 3000 and sure_and_valid >= 100, (checked, sure_and_valid)
    typical = {"events": [e for e in _every_event_shape()], "responses": [{"text": "네", "buttons": []}]}
    assert sure(GOOD) and sure(typical) and sure({"events": [], "responses": []}) and sure({})

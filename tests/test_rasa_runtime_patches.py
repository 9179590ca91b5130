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

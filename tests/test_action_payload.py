"""rasa_runtime.action_payload: an action call carries the events from the latest user message on, and
everything our actions and rasa-sdk read of it is the same as with Rasa's whole-session payload."""
import json
from typing import List

from rasa.core.actions.action import RemoteAction
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (ActionExecuted, ActiveLoop, Event, SessionStarted, SlotSet,
                                     UserUttered)
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from rasa.utils.endpoints import EndpointConfig
from rasa_sdk import Tracker

from actions.task_form import _answering
from rasa_runtime import action_payload

DOMAIN = Domain.load("domain.yml")


def _user(text: str, intent: str) -> UserUttered:
    ranking = [{"name": f"{intent}_{n}", "confidence": 0.1} for n in range(10)]
    return UserUttered(text, {"name": intent, "confidence": 0.9},
                       parse_data={"intent": {"name": intent, "confidence": 0.9}, "intent_ranking": ranking,
                                   "text": text, "entities": []}, input_channel="rest")


def _conversation(turns: int, ending: List[Event]) -> DialogueStateTracker:
    events: List[Event] = [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")]
    for n in range(turns):
        events += [_user(f"질문 {n}", "faq"), ActionExecuted("utter_faq"), ActionExecuted("action_listen")]
    events += ending
    return DialogueStateTracker.from_events("customer-1", events, slots=DOMAIN.slots)


MID_TASK = [_user("금융인증서 갱신하고 싶어요", "renew_certificate"), ActionExecuted("task_form"),
            SlotSet("task", "renew"), ActiveLoop("task_form"), SlotSet("requested_slot", "customer_name"),
            ActionExecuted("action_listen"), _user("홍길동", "inform"), ActionExecuted("task_form"),
            SlotSet("customer_name", "홍길동")]


def _payloads(tracker: DialogueStateTracker):
    action = RemoteAction("validate_task_form", EndpointConfig("http://127.0.0.1:9/webhook"))
    whole = {"next_action": "validate_task_form", "sender_id": tracker.sender_id,
             "tracker": tracker.current_state(EventVerbosity.ALL)}
    original = RemoteAction._action_call_format
    try:
        action_payload.apply()
        cut = action._action_call_format(tracker, DOMAIN)
    finally:
        RemoteAction._action_call_format = original
    return whole, cut


def test_top_level_fields_are_sent_unchanged_and_events_start_at_the_latest_user_message():
    tracker = _conversation(12, MID_TASK)
    whole, cut = _payloads(tracker)
    for key, value in whole["tracker"].items():
        if key != "events":
            assert cut["tracker"][key] == value, key
    events = whole["tracker"]["events"]
    latest_user = max(i for i, e in enumerate(events) if e["event"] == "user")
    assert cut["tracker"]["events"] == events[latest_user:]
    assert cut["tracker"]["events"][0]["text"] == "홍길동"
    assert cut["next_action"] == whole["next_action"] and cut["sender_id"] == whole["sender_id"]


def test_what_the_actions_read_is_the_same():
    for ending in (MID_TASK, MID_TASK[:6], MID_TASK + [ActionExecuted("action_extract_slots")], []):
        whole, cut = (Tracker.from_dict(p["tracker"]) for p in _payloads(_conversation(5, ending)))
        assert cut.slots_to_validate() == whole.slots_to_validate()
        assert cut.latest_message == whole.latest_message
        assert cut.active_loop == whole.active_loop
        assert cut.get_latest_input_channel() == whole.get_latest_input_channel()
        assert _answering(cut) == _answering(whole)
    # The form runs right on the customer's answer: it is an answer (the case the cut must keep).
    assert _answering(Tracker.from_dict(_payloads(_conversation(5, MID_TASK))[1]["tracker"]))


def test_the_payload_no_longer_grows_with_the_conversation():
    sizes = {turns: [len(json.dumps(p)) for p in _payloads(_conversation(turns, MID_TASK))] for turns in (1, 40)}
    whole_growth = sizes[40][0] / sizes[1][0]
    cut_growth = sizes[40][1] / sizes[1][1]
    assert whole_growth > 5 and cut_growth < 1.05, sizes


def test_a_conversation_without_a_user_message_gets_all_its_events():
    tracker = DialogueStateTracker.from_events(
        "customer-2", [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")],
        slots=DOMAIN.slots)
    whole, cut = _payloads(tracker)
    assert cut["tracker"]["events"] == whole["tracker"]["events"]


def test_the_domain_goes_without_answer_texts_built_once_per_domain():
    tracker = _conversation(3, MID_TASK)
    _, first = _payloads(tracker)
    _, second = _payloads(tracker)
    full = DOMAIN.as_dict()
    assert "responses" in full and "responses" not in first["domain"]
    assert first["domain"] == {key: value for key, value in full.items() if key != "responses"}
    assert second["domain"] is first["domain"]                      # not rebuilt per call
    other = Domain.load("domain.yml")
    assert action_payload.domain_for_actions(other) is not first["domain"]
    assert len(json.dumps(first["domain"])) < len(json.dumps(full)) / 2


def test_no_action_reads_the_domain():
    """Why the answer texts may stay behind: no action module touches its `domain` argument (rasa-sdk's
    form validation would read `forms` and `slots`, which are sent; ours overrides it)."""
    import ast
    from pathlib import Path
    for path in Path("actions").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.Subscript, ast.Attribute)) and isinstance(node.value, ast.Name):
                assert node.value.id != "domain", f"{path}:{node.lineno} reads the domain"


def test_the_tracker_fields_are_rasas_own_after_every_event_of_a_task():
    """`tracker_state` (the active loop taken without `dataclasses.asdict`'s deep copy) gives the same
    JSON as Rasa's `current_state()` at every point of a conversation entering, interrupting and
    leaving a form, whose loop holds the parse data of the message that started it."""
    events = _conversation(2, MID_TASK).events
    ending = [ActionExecuted("action_listen"), _user("수수료 있어요?", "faq"), ActionExecuted("utter_faq"),
              ActiveLoop(None), SlotSet("requested_slot", None), ActionExecuted("action_listen")]
    checked_loops = 0
    for end in range(len(events) + len(ending) + 1):
        tracker = DialogueStateTracker.from_events("customer-3", (list(events) + ending)[:end], slots=DOMAIN.slots)
        ours = action_payload.tracker_state(tracker)
        assert json.dumps(ours, sort_keys=True) == json.dumps(tracker.current_state(EventVerbosity.NONE),
                                                             sort_keys=True)
        if tracker.active_loop:
            assert ours["active_loop"]["trigger_message"]["intent"]["name"] == "renew_certificate"
            checked_loops += 1
    assert checked_loops >= 5

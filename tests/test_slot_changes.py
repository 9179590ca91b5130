"""The action server returns only slot events that change something (actionserver/slot_changes.py)."""
from actionserver.slot_changes import asked_slot, changing_events


def slot(name, value):
    return {"event": "slot", "timestamp": None, "name": name, "value": value}


SLOTS = {"requested_slot": "customer_name", "task": "renew_certificate", "customer_name": "김민준",
         "failed_count": None, "outage_slot": None, "task_confirm": True, "step_label": "[1/4] 본인 확인"}


def test_unchanged_slots_are_dropped_and_changes_kept_in_order():
    events = [slot("outage_slot", None), slot("failed_count", 1), slot("step_label", "[1/4] 본인 확인"),
              {"event": "bot", "text": "안녕하세요"}, slot("failed_count", 1), slot("failed_count", None)]
    assert changing_events(SLOTS, events) == [slot("failed_count", 1), {"event": "bot", "text": "안녕하세요"},
                                                slot("failed_count", None)]


def test_flow_markers_are_kept_even_when_unchanged():
    events = [slot("requested_slot", "customer_name"), slot("task", "renew_certificate")]
    assert changing_events(SLOTS, events) == events


def test_a_form_validation_keeps_the_asked_slot_so_rasa_sees_it_validated():
    keep = asked_slot("validate_task_form", SLOTS)
    assert keep == "customer_name"
    events = [slot("customer_name", "김민준"), slot("outage_slot", None), slot("requested_slot", "birth_date")]
    assert changing_events(SLOTS, events, keep=keep) == [slot("customer_name", "김민준"),
                                                           slot("requested_slot", "birth_date")]
    assert asked_slot("action_request_cancel", SLOTS) is None  # only validations have an asked slot


def test_type_matters_and_unknown_slots_are_kept():
    assert changing_events(SLOTS, [slot("task_confirm", 1)]) == [slot("task_confirm", 1)]
    assert changing_events(SLOTS, [slot("not_in_tracker", None)]) == [slot("not_in_tracker", None)]


def test_after_a_reset_nothing_is_assumed():
    events = [{"event": "reset_slots"}, slot("outage_slot", None)]
    assert changing_events(SLOTS, events) == events

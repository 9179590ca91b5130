"""Per-turn costs of Rasa 3.6.21 removed, results unchanged (measured in docs/performance.md).

Each patch is its own module with the why; tests/test_rasa_runtime_patches.py shows each gives the same
results as the code it replaces.
"""
from __future__ import annotations

from rasa_runtime import (action_connections, action_payload, action_response_validation, event_lookup,
                          form_tracker, frozen_model_heap, graph_run_plan, log_argument_copies,
                          rule_state_window, tracker_copy)

_applied = False


def apply() -> None:
    global _applied
    if _applied:
        return
    action_response_validation.apply()
    action_payload.apply()
    action_connections.apply()
    event_lookup.apply()
    frozen_model_heap.apply()
    log_argument_copies.apply()
    rule_state_window.apply()
    graph_run_plan.apply()
    tracker_copy.apply()
    form_tracker.apply()
    _applied = True

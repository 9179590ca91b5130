"""The action server is sent the conversation from its latest user message on, not the whole session.

Rasa 3.6 sends every custom-action call the tracker with all events of the conversation
(`EventVerbosity.ALL`): under the chat benchmark a call carried 128 KB at the median (154 KB at p95)
for a 20-turn conversation, most of it the parse data of every earlier user message. Rasa turns
every event into a dict and JSON, aiohttp writes it, the action server reads and parses it — on every
call, growing with the conversation — and under 20 customers the body's trip between the two
event loops cost more than the action itself: 188 ms from Rasa starting the call to the action
server's handler starting, against 9 ms in the handler (medians, docs/performance.md, session 7).

What our actions and rasa-sdk read of a call (checked by tests/test_action_payload.py):
- the top-level fields `slots`, `latest_message`, `active_loop`, `latest_action_name`, `followup_action`,
  `paused`, `latest_input_channel`, `sender_id` — sent exactly as before;
- events only backwards from the end to the latest user message: `actions/task_form.py`
  (`_answering`) and rasa-sdk's `Tracker.slots_to_validate` (the trailing slot events).
So the events sent start at the latest `user` event. A conversation without one in its events (a
session start, an external trigger) still gets all of them, as before.

The domain goes with every call too (80 KB as JSON, Korean escaped: 70 % of the call once the events
were cut). Our actions never read it; rasa-sdk's form validation reads its `forms` and `slots`. It is
sent without `responses` (the answer texts, which only Rasa's NLG uses) and built once per domain
instead of once per call.

The tracker's fields are Rasa's `current_state()` but for the active loop: Rasa turns it into a dict
with `dataclasses.asdict`, a recursive deep copy of the loop's trigger message (the parse data of the
message that started the form, with both rankings): ~0.7 ms of every call during a form (cProfile,
docs/performance.md, session 14). The body is serialised to JSON right away and never changed, so its
fields are taken as they are (as Rasa already does for `latest_message`); the JSON is the same.
"""
from __future__ import annotations

import dataclasses
from typing import Any, Dict, List, Optional, Tuple

from rasa.shared.core.events import Event, UserUttered


def events_from_latest_user_message(events: List[Event]) -> List[Event]:
    """The events from the latest user message on (all of them when there is none)."""
    for index in range(len(events) - 1, -1, -1):
        if isinstance(events[index], UserUttered):
            return events[index:]
    return events


_NOT_FOR_ACTIONS = ("responses",)
_domain_cache: Optional[Tuple[Any, Dict[str, Any]]] = None


def domain_for_actions(domain: Any) -> Dict[str, Any]:
    """`domain.as_dict()` without the answer texts, computed once per domain (a new model, a new one)."""
    global _domain_cache
    if _domain_cache is None or _domain_cache[0] is not domain:
        as_dict = {key: value for key, value in domain.as_dict().items() if key not in _NOT_FOR_ACTIONS}
        _domain_cache = (domain, as_dict)
    return _domain_cache[1]


def tracker_state(tracker: Any) -> Dict[str, Any]:
    """`tracker.current_state(EventVerbosity.NONE)` of Rasa 3.6.21, the active loop without a deep copy."""
    loop = tracker.active_loop
    return {
        "sender_id": tracker.sender_id,
        "slots": tracker.current_slot_values(),
        "latest_message": tracker._latest_message_data(),
        "latest_event_time": tracker.events[-1].timestamp if len(tracker.events) > 0 else None,
        "followup_action": tracker.followup_action,
        "paused": tracker.is_paused(),
        "events": None,
        "latest_input_channel": tracker.get_latest_input_channel(),
        "active_loop": ({field.name: getattr(loop, field.name) for field in dataclasses.fields(loop)}
                        if loop else {}),
        "latest_action": tracker.latest_action,
        "latest_action_name": tracker.latest_action_name,
    }


def apply() -> None:
    import rasa
    from rasa.core.actions.action import RemoteAction

    def _action_call_format(self: RemoteAction, tracker: Any, domain: Any) -> Dict[str, Any]:
        """`RemoteAction._action_call_format` of Rasa 3.6.21 with the events cut as above."""
        state = tracker_state(tracker)
        state["events"] = [event.as_dict() for event in events_from_latest_user_message(list(tracker.events))]
        result = {
            "next_action": self._name,
            "sender_id": tracker.sender_id,
            "tracker": state,
            "version": rasa.__version__,
        }
        if not self._is_selective_domain_enabled() or domain.does_custom_action_explicitly_need_domain(self.name()):
            result["domain"] = domain_for_actions(domain)
        return result

    RemoteAction._action_call_format = _action_call_format

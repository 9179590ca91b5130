"""The form's temporary tracker without replaying the conversation.

Rasa 3.6's `FormAction._temporary_tracker` builds a tracker from every event of the conversation
(`DialogueStateTracker.from_events`) plus three more: the requested slot, the form's own execution and
the events so far of this run. A form step builds it twice (once to send the validation action, once to
ask the next slot), so every task step replays the whole conversation twice, and the cost grows with the
conversation: ~1.5 ms of Rasa's ~3 ms of work in a `task_form` run of the chat benchmark's renewal
(cProfile, docs/performance.md, session 14).

Here the temporary tracker is the conversation's replay-free copy (`tracker_copy.replay_free_copy`, the
state the tracker already holds, proven equal to the replay) with the same three kinds of events then
applied by `update`, as `from_events` applies them. Rasa's own method runs wherever the two could
differ: a conversation with a restart in it (Rasa replays only the events after the latest restart), an
event whose timestamp is not a number, a tracker with a history bound, a rule tracker, a tracker without a
sender id, or one whose slots are not the domain's (Rasa builds the temporary tracker on the domain's slots).
`tests/test_rasa_runtime_patches.py` and `tests/integration/test_runtime_patches_on_model.py` compare
both trackers field by field, on every step of every dialogue test where the form is active.
"""
from __future__ import annotations

import math
from typing import Any, List

ORIGINAL: Any = None  # Rasa's method, kept for the cases above (and for the tests' comparisons)


def _replay_would_differ(tracker: Any, domain: Any) -> bool:
    from rasa.shared.core.events import Restarted
    from rasa.shared.core.trackers import DialogueStateTracker

    if (type(tracker) is not DialogueStateTracker or not tracker.sender_id or tracker.is_rule_tracker
            or tracker._max_event_history is not None or type(tracker.slots) is not dict):
        return True
    slot_types = {slot.name: type(slot) for slot in domain.slots}
    if slot_types != {name: type(slot) for name, slot in tracker.slots.items()}:
        return True
    # A timestamp that is not a number stops `replay_free_copy`'s own fallback (a replay up to a time)
    # early, where Rasa's `from_events` applies every event (found in session 14's review).
    return any(isinstance(event, Restarted) or not event.timestamp <= math.inf for event in tracker.events)


def temporary_tracker(form: Any, current_tracker: Any, additional_events: List[Any], domain: Any) -> Any:
    """`FormAction._temporary_tracker` of Rasa 3.6.21 on a copy instead of a replay."""
    from rasa.shared.core.constants import REQUESTED_SLOT
    from rasa.shared.core.events import ActionExecuted, SlotSet

    from rasa_runtime.tracker_copy import replay_free_copy

    if _replay_would_differ(current_tracker, domain):
        return ORIGINAL(form, current_tracker, additional_events, domain)
    temporary = replay_free_copy(current_tracker)
    # The same events in the same order as Rasa's: the requested slot (so it belongs to the active form),
    # the form's execution (what the run adds is told apart by it), then what the caller passes.
    for event in [SlotSet(REQUESTED_SLOT, form.get_slot_to_fill(current_tracker)),
                  ActionExecuted(form.name()), *additional_events]:
        temporary.update(event)
    return temporary


def apply() -> None:
    global ORIGINAL
    from rasa.core.actions.forms import FormAction

    if ORIGINAL is None:
        ORIGINAL = FormAction._temporary_tracker
    FormAction._temporary_tracker = temporary_tracker

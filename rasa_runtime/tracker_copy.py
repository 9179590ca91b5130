"""A copy of a conversation's tracker without replaying the conversation.

Rasa 3.6 copies the tracker before running every action (`MessageProcessor._run_action`: a temporary
tracker, so a rejected action's events can be dropped) and in the form code; `DialogueStateTracker.copy()`
is `travel_back_in_time(inf)`: a fresh tracker that replays every event of the conversation. A task turn
runs three to five actions, so the conversation is replayed that many times per turn, and the cost grows
with its length: under the 20-customer bench 4.6 % of Rasa's CPU, in an 80-turn conversation 9 %
(docs/performance.md, session 8).

Here the copy takes the state the tracker already holds, field by field, as the replay would rebuild it:
- what `init_copy()` starts with (sender, the history bound, the rule flag) and its own copy of each slot,
  holding its current value (the replay sets the same value objects, from the same events);
- the same events (the objects themselves, as the replay appends them), in a new deque;
- the fields events set: `latest_message` and `latest_bot_utterance` (the event objects themselves, as
  `apply_to` sets them, or the fresh placeholders of the copy's own reset), `latest_action` and
  `active_loop` (new objects: both are changed in place later), `followup_action`, `_paused`. Like
  Rasa's copy it has no `model_id` / `assistant_id`.

Where the replay would not rebuild the same state, Rasa's own copy runs: a tracker with a history bound
(its deque has dropped events the state still reflects), an event whose timestamp would stop the replay
early, or a subclass (training's `TrackerWithCachedStates` keeps more state, and has its own copy).
`tests/test_rasa_runtime_patches.py` and `tests/integration/test_runtime_patches_on_model.py` compare both
copies, field by field and by their states, after every event of every dialogue test and of
long conversations chained from them.
"""
from __future__ import annotations

import copy
import dataclasses
import math
from typing import Any, Dict, List


def replay_free_copy(tracker: Any) -> Any:
    """`DialogueStateTracker.copy()` without the replay (Rasa's own copy where it would differ)."""
    from rasa.shared.constants import DEFAULT_SENDER_ID
    from rasa.shared.core.trackers import DialogueStateTracker

    if (type(tracker) is not DialogueStateTracker or type(tracker.slots) is not dict
            or tracker._max_event_history is not None
            or any(not event.timestamp <= math.inf for event in tracker.events)):
        return tracker.travel_back_in_time(math.inf)
    events = list(tracker.events)
    # `init_copy()` with no slots, then each slot copied once with its current value: init_copy would copy
    # and reset every slot, only for them to be copied again with their values — that first copy was 3 %
    # of Rasa's CPU per turn (docs/performance.md, session 11).
    duplicate = DialogueStateTracker(tracker.sender_id or DEFAULT_SENDER_ID, [], tracker._max_event_history,
                                     is_rule_tracker=tracker.is_rule_tracker)
    duplicate.slots = {name: slot_copy(slot) for name, slot in tracker.slots.items()}
    duplicate.events = duplicate._create_events(events)
    # The latest messages are events of the conversation (then the same objects, as the replay sets), or
    # the empty placeholders a reset made (then the copy keeps the fresh ones its own reset made).
    if _is_one_of(tracker.latest_message, events):
        duplicate.latest_message = tracker.latest_message
    if _is_one_of(tracker.latest_bot_utterance, events):
        duplicate.latest_bot_utterance = tracker.latest_bot_utterance
    duplicate.latest_action = copy.copy(tracker.latest_action)
    duplicate.active_loop = dataclasses.replace(tracker.active_loop) if tracker.active_loop else None
    duplicate.followup_action = tracker.followup_action
    duplicate._paused = tracker._paused
    return duplicate


_PLAIN_COPY: Dict[type, bool] = {}


def _copies_plainly(cls: type) -> bool:
    """Whether ``copy.copy`` of an instance is a new instance with the same ``__dict__`` (no copy hooks,
    no ``__slots__``: what it does for Rasa's slot classes), decided once per class."""
    plain = _PLAIN_COPY.get(cls)
    if plain is None:
        plain = _PLAIN_COPY[cls] = (
            cls.__reduce_ex__ is object.__reduce_ex__ and cls.__reduce__ is object.__reduce__
            and getattr(cls, "__getstate__", None) is getattr(object, "__getstate__", None)
            and not any(hasattr(cls, hook) for hook in ("__copy__", "__setstate__"))
            and not any(vars(base).get("__slots__") for base in cls.__mro__)  # ABC's empty () is fine
            and cls.__new__ is object.__new__)
    return plain


def slot_copy(slot: Any) -> Any:
    """``copy.copy(slot)`` without its generic machinery (``__reduce_ex__``, ``copyreg``, ``_reconstruct``:
    ~6 µs a slot, ~0.3 ms for this domain's ~45 slots, for every tracker copy: docs/performance.md,
    session 14): the same new object with the same attribute values. Anything else copies as before."""
    cls = type(slot)
    if not _copies_plainly(cls):
        return copy.copy(slot)
    duplicate = object.__new__(cls)
    duplicate.__dict__.update(slot.__dict__)
    return duplicate


def _is_one_of(candidate: Any, events: List[Any]) -> bool:
    """Whether ``candidate`` is one of the events themselves (searched from the newest: it is recent)."""
    return candidate is not None and any(event is candidate for event in reversed(events))


def apply() -> None:
    from rasa.shared.core.trackers import DialogueStateTracker

    DialogueStateTracker.copy = replay_free_copy

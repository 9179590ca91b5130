"""What "the same copy" means for rasa_runtime.tracker_copy: every attribute Rasa's own copy (a replay of
all events) ends with, compared field by field, by the tracker's full state and, given a domain, by the
states the policies read; and a copy that shares nothing mutable with its original."""
from __future__ import annotations

import math

from rasa.shared.core.trackers import EventVerbosity

from rasa_runtime.tracker_copy import replay_free_copy

SAME_OBJECT = ("latest_message", "latest_bot_utterance")  # the replay sets the event objects themselves


def assert_same_copy(tracker, domain=None) -> None:
    assert_same_tracker(replay_free_copy(tracker), tracker.travel_back_in_time(math.inf), tracker, domain)


def assert_same_tracker(fast, replayed, tracker, domain=None, new_events: int = 0) -> None:
    """``fast`` holds what ``replayed`` (Rasa's tracker rebuilt from ``tracker``'s events, plus
    ``new_events`` of its own at the end) holds, and shares nothing mutable with ``tracker``. The new
    events are equal, not the same objects (each side made its own)."""
    assert type(fast) is type(replayed)
    assert set(vars(fast)) == set(vars(replayed)), set(vars(fast)) ^ set(vars(replayed))
    for name, value in vars(replayed).items():
        mine = vars(fast)[name]
        if name == "events":
            kept = len(value) - new_events
            assert list(mine) == list(value) and all(a is b for a, b in zip(list(mine)[:kept], list(value)[:kept]))
            assert mine.maxlen == value.maxlen and mine is not tracker.events
        elif name == "slots":
            assert mine.keys() == value.keys()
            for key, slot in value.items():
                assert type(mine[key]) is type(slot) and vars(mine[key]) == vars(slot), key
                assert mine[key] is not tracker.slots[key]
        elif name in SAME_OBJECT and any(event is value for event in tracker.events):
            assert mine is value, name
        elif name in SAME_OBJECT:  # a reset's empty placeholder: a fresh one of the same kind
            assert type(mine) is type(value) and not any(event is mine for event in tracker.events), name
            assert mine.as_dict() | {"timestamp": 0} == value.as_dict() | {"timestamp": 0}, name
        else:
            assert mine == value, (name, mine, value)
    assert fast.current_state(EventVerbosity.ALL) == replayed.current_state(EventVerbosity.ALL)
    if fast.active_loop is not None:
        assert fast.active_loop is not tracker.active_loop
    if fast.latest_action is not None:
        assert fast.latest_action is not tracker.latest_action
    if domain is not None:
        assert fast.past_states(domain) == replayed.past_states(domain)

"""RulePolicy turns only the last few turns of a conversation into states, not all of them.

On every prediction Rasa 3.6's RulePolicy rebuilds the state of *every* earlier turn of the conversation
(`tracker.past_states`), then matches its rules against them from the newest backwards — and a rule only
ever looks as far back as its own length. Our longest rule has 4 states, so in a 50-turn conversation most
of that work (≈ 10 % of Rasa's CPU per turn, docs/performance.md) builds states no rule reads.

Why the result is unchanged: `_get_possible_keys` drops a rule only at a turn index below the rule's length
(`_is_rule_applicable` returns True beyond it), so with at least as many trailing states as the longest rule
the same rules survive; the other thing built from the states — the "no rule" source key — matters only when
it is one of `rules_not_in_stories`, so the window is switched off for a model where such a key is there.
Each state is still computed from the whole conversation (all events are replayed; slots set long ago stay
set): only the states no rule can reach are skipped. The window is set when a trained policy is loaded, so
training (whose rule analysis reads the prediction sources) is untouched.
`tests/integration/test_runtime_patches_on_model.py` compares every prediction of the dialogue tests, and of long
conversations made from them, with and without the window.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

WINDOW_ATTRIBUTE = "_recent_state_window"


def state_window(policy: Any) -> Optional[int]:
    """How many trailing states decide every rule of `policy`, or None when all are needed."""
    from rasa.core.policies.rule_policy import RULES, RULES_FOR_LOOP_UNHAPPY_PATH, RULES_NOT_IN_STORIES

    rule_keys = set(policy.lookup.get(RULES, {})) | set(policy.lookup.get(RULES_FOR_LOOP_UNHAPPY_PATH, {}))
    if not rule_keys:
        return None
    for source in policy.lookup.get(RULES_NOT_IN_STORIES, []):
        if source not in rule_keys and source.lstrip().startswith("["):
            return None  # a "no rule" state key decides hide_rule_turn: it needs every state
    return max(len(policy._rule_key_to_state(key)) for key in rule_keys)


def recent_states(tracker: Any, domain: Any, window: int, omit_unset_slots: bool = False) -> List[Dict]:
    """The last `window` states `tracker.past_states(domain)` would give, computed the same way
    (`Domain.states_for_tracker_history` without rule-only turns to hide)."""
    from rasa.shared.core.events import ActionExecuted

    applied = tracker.applied_events()
    boundaries = sum(isinstance(event, ActionExecuted) for event in applied)
    first_kept = boundaries + 1 - window  # one state before each action, and one for now
    replay = tracker.init_copy()
    states = []
    seen = 0
    for event in applied:
        if isinstance(event, ActionExecuted):
            if seen >= first_kept:
                states.append(domain._clean_state(domain.get_active_state(replay, omit_unset_slots)))
            seen += 1
        replay.update(event)
    states.append(domain._clean_state(domain.get_active_state(replay, omit_unset_slots)))
    return states


MEMO_ATTRIBUTE = "_recent_states_memo"


def memoized_recent_states(tracker: Any, domain: Any, window: int, omit_unset_slots: bool = False) -> List[Dict]:
    """`recent_states`, computed once per tracker and event count: RulePolicy asks twice per prediction
    right after a user message (once with the message's text, once with its intent), and each time
    replays the whole conversation. States depend only on the events, which a tracker only ever
    appends, so (number of events, the last event, domain, window) identifies them. The featurizer
    deletes keys inside the returned states, so every caller gets its own copy of the two levels of dicts
    (the values are strings and tuples)."""
    events = tracker.events
    key = (len(events), id(events[-1]) if events else None, id(domain), window, omit_unset_slots)
    memo = getattr(tracker, MEMO_ATTRIBUTE, None)
    if memo is None or memo[0] != key:
        memo = (key, recent_states(tracker, domain, window, omit_unset_slots))
        setattr(tracker, MEMO_ATTRIBUTE, memo)
    return [{name: dict(sub_state) for name, sub_state in state.items()} for state in memo[1]]


class RecentTurns:
    """A tracker as the featurizer sees it: `past_states` gives only the last `window` states."""

    def __init__(self, tracker: Any, window: int) -> None:
        self._tracker = tracker
        self._window = window

    def past_states(self, domain: Any, omit_unset_slots: bool = False, ignore_rule_only_turns: bool = False,
                    rule_only_data: Optional[Dict[Text, Any]] = None) -> List[Dict]:
        if ignore_rule_only_turns:  # not RulePolicy's way: compute it the usual way
            return self._tracker.past_states(domain, omit_unset_slots=omit_unset_slots,
                                             ignore_rule_only_turns=True, rule_only_data=rule_only_data)
        return memoized_recent_states(self._tracker, domain, self._window, omit_unset_slots)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._tracker, name)


def apply() -> None:
    from rasa.core.policies.rule_policy import RulePolicy

    original_load = RulePolicy.load.__func__
    original_states = RulePolicy._prediction_states

    def load(cls, *args: Any, **kwargs: Any) -> RulePolicy:
        policy = original_load(cls, *args, **kwargs)
        setattr(policy, WINDOW_ATTRIBUTE, state_window(policy))
        return policy

    def _prediction_states(self, tracker, domain, use_text_for_last_user_input=False, rule_only_data=None):
        window = getattr(self, WINDOW_ATTRIBUTE, None)
        if window:
            tracker = RecentTurns(tracker, window)
        return original_states(self, tracker, domain, use_text_for_last_user_input,
                               rule_only_data=rule_only_data)

    RulePolicy.load = classmethod(load)
    RulePolicy._prediction_states = _prediction_states

"""How a step ends when the answer cannot be used: re-ask, give up politely, or wait out an outage."""
from __future__ import annotations

from typing import Any, Dict, Optional

from actions import task_slots as s
from actions.step_context import StepContext, button

STUCK_AFTER = 3  # failures on one step before offering a way out


def reask(ctx: StepContext, slot: str, response: Optional[str] = None, text: Optional[str] = None,
          **values: Any) -> Dict[str, Any]:
    """Say what was wrong, count the failure, and ask the same step again."""
    count = (ctx.slot(s.FAILED_COUNT) or 0) + 1 if ctx.slot(s.FAILED_SLOT) == slot else 1
    ctx.say(response, text=text, **values)
    if count >= STUCK_AFTER:
        ctx.say("utter_task_stuck", buttons=[button("그만하기", "/cancel"), button("상담원 연결", "/human_handoff")])
    return {slot: None, s.FAILED_SLOT: slot, s.FAILED_COUNT: count}


def accepted(slot: str, value: Any, **more: Any) -> Dict[str, Any]:
    return {slot: value, s.FAILED_SLOT: None, s.FAILED_COUNT: None, s.OUTAGE_SLOT: None, **more}


def outage(slot: str, kept_value: Any) -> Dict[str, Any]:
    """The backend is down: keep what the customer gave and ask whether to try again."""
    return {slot: kept_value, s.OUTAGE_SLOT: slot, s.RETRY_CONFIRM: None}


def reverify(ctx: StepContext) -> Dict[str, Any]:
    """The verification token expired mid-task: ask for identity again, keep the task."""
    ctx.say("utter_task_reverify")
    return {name: None for name in (s.VERIFY_METHOD, s.MOBILE_NUMBER, s.VERIFICATION_CODE, s.VERIFICATION_ID,
                                    s.VERIFICATION_TOKEN, s.TOKEN_EXPIRES_AT)}

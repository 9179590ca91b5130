"""Leaving, switching and retrying a task: the confirmation steps and their shared helpers."""
from __future__ import annotations

from typing import Any, Dict

from actions import task_slots as s
from actions.backend_client import BackendRefused
from actions.certificate_lookup import look_up
from actions.flows import flow_for
from actions.secret_vault import VAULT, is_reference
from actions.step_context import StepContext
from actions.korean_text import with_particle
from actions.step_outcomes import reask


def keepable(slot: str, value: Any) -> Any:
    """What may stay in a slot while the backend is down: secrets only as a vault reference."""
    if slot in s.SECRET_SLOTS and not is_reference(value):
        return VAULT.put(str(value))
    return value


def forget_secrets(slots: Dict[str, Any]) -> None:
    VAULT.drop(*(slots.get(name) for name in s.SECRET_SLOTS))


def reset_task(slots: Dict[str, Any]) -> Dict[str, Any]:
    forget_secrets(slots)
    return {name: None for name in s.TASK_SCOPED}


def reask_yes_no(ctx: StepContext, slot: str) -> Dict[str, Any]:
    return reask(ctx, slot, "utter_yes_no_invalid")


def give_up(ctx: StepContext) -> Dict[str, Any]:
    flow = flow_for(ctx.task)
    ctx.say("utter_task_cancelled", task_title=with_particle(flow.title if flow else "요청", "을/를"))
    return {s.OUTCOME: "cancelled", s.CANCEL_PENDING: None, s.OUTAGE_SLOT: None}


def validate_cancel_confirm(ctx: StepContext, value: Any) -> Dict[str, Any]:
    if value is True:
        return {**give_up(ctx), s.CANCEL_CONFIRM: True}
    if value is False:
        ctx.say("utter_task_continue")
        return {s.CANCEL_PENDING: None, s.CANCEL_CONFIRM: None}
    return reask_yes_no(ctx, s.CANCEL_CONFIRM)


async def validate_switch_confirm(ctx: StepContext, value: Any) -> Dict[str, Any]:
    target = flow_for(ctx.slot(s.SWITCH_TO))
    if value is False or target is None:
        ctx.say("utter_task_continue")
        return {s.SWITCH_TO: None, s.SWITCH_CONFIRM: None}
    if value is not True:
        return reask_yes_no(ctx, s.SWITCH_CONFIRM)
    return await start_flow(ctx, target.task)


async def start_flow(ctx: StepContext, task: str) -> Dict[str, Any]:
    """Begin a task; a customer verified less than 10 minutes ago goes straight to the lookup."""
    flow = flow_for(task)
    updates = {**reset_task(ctx.tracker.slots), s.TASK: task}
    introduction = flow.introduction(verified=ctx.verified())
    if introduction:
        ctx.say(introduction)
    if not ctx.verified():
        return {**updates, **{name: None for name in s.VERIFICATION_SCOPED}}
    ctx.tracker.slots.update(updates)
    try:
        cert = await look_up(ctx)
    except BackendRefused:  # the backend no longer accepts the token: verify again
        return {**updates, **{name: None for name in s.VERIFICATION_SCOPED}}
    ctx.tracker.slots.update(cert)
    ctx.say("utter_verified_reused")
    return {**updates, **cert, **await flow.after_lookup(ctx, cert)}

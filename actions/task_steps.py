"""The task steps after verification: PINs, device name and the confirmations."""
from __future__ import annotations

from datetime import date
from typing import Any, Dict

from actions import task_slots as s
from actions.backend_client import BackendRefused
from actions.flows import flow_for
from actions.korean_text import with_particle
from actions.message_reading import read_yes_no
from actions.secret_vault import VAULT, is_reference
from actions.step_context import StepContext, button
from actions.step_outcomes import accepted, reask, reverify
from certpolicy import load_policy
from certpolicy.validators import PIN_PROBLEM_MESSAGES, digits_only, pin_problem

MAX_DEVICE_NAME = 20


def _pin_from(value: Any) -> str:
    """A PIN as typed (spaces or dashes allowed), or one kept in the vault by an earlier try."""
    if is_reference(value):
        return VAULT.get(value) or ""
    return digits_only(str(value), load_policy().pin_length) or ""


async def submit_or_continue(ctx: StepContext, slot: str, updates: Dict[str, Any]) -> Dict[str, Any]:
    """Run the task at the backend when this is its last step."""
    flow = flow_for(ctx.task)
    if flow is None or flow.submit_slot != slot:
        return updates
    ctx.tracker.slots.update(updates)
    try:
        return {**updates, **await flow.submit(ctx)}
    except BackendRefused as refused:
        return {**updates, **handle_refusal(ctx, slot, refused)}


def handle_refusal(ctx: StepContext, slot: str, refused: BackendRefused) -> Dict[str, Any]:
    """Business errors at a PIN or confirmation step."""
    if refused.code in ("VERIFICATION_EXPIRED", "VERIFICATION_REQUIRED"):
        return {**reverify(ctx), slot: None}
    if refused.code == "PIN_INVALID":
        return reask(ctx, s.CURRENT_PIN, text=refused.message)
    if refused.code == "CERT_LOCKED":
        ctx.say("utter_task_cert_locked", step_label=ctx.slot(s.STEP_LABEL) or "",
                buttons=[button("재발급하기", "/issue_certificate")])
        return {s.OUTCOME: "locked"}
    if refused.code == "PIN_POLICY":
        return {**reask(ctx, s.NEW_PIN, text=refused.message), s.NEW_PIN_CONFIRM: None}
    ctx.say(text=refused.message)
    return {s.OUTCOME: "refused"}


async def validate_current_pin(ctx: StepContext, value: Any) -> Dict[str, Any]:
    pin = _pin_from(value)
    if not pin:
        return reask(ctx, s.CURRENT_PIN, "utter_pin_format_invalid")
    reference = value if is_reference(value) else VAULT.put(pin)
    updates = accepted(s.CURRENT_PIN, reference)
    flow = flow_for(ctx.task)
    if flow is not None and flow.submit_slot == s.CURRENT_PIN:
        return await submit_or_continue(ctx, s.CURRENT_PIN, updates)
    try:
        await ctx.client.check_pin(ctx.slot(s.VERIFICATION_TOKEN), ctx.slot(s.CERT_SERIAL), pin)
    except BackendRefused as refused:
        VAULT.drop(reference)
        return handle_refusal(ctx, s.CURRENT_PIN, refused)
    return updates


async def validate_new_pin(ctx: StepContext, value: Any) -> Dict[str, Any]:
    policy = load_policy()
    raw = VAULT.get(value) if is_reference(value) else "".join(str(value).split()).replace("-", "")
    born = date.fromisoformat(ctx.slot(s.BIRTH_DATE)) if ctx.slot(s.BIRTH_DATE) else None
    problem = pin_problem(raw or "", policy.pin_length, born)
    if problem:
        return reask(ctx, s.NEW_PIN, text=PIN_PROBLEM_MESSAGES[problem].format(length=policy.pin_length))
    current = ctx.secret(s.CURRENT_PIN)
    if current and current == raw:
        return reask(ctx, s.NEW_PIN, "utter_new_pin_same")
    return accepted(s.NEW_PIN, value if is_reference(value) else VAULT.put(raw))


async def validate_new_pin_confirm(ctx: StepContext, value: Any) -> Dict[str, Any]:
    again = _pin_from(value)
    if not again or again != ctx.secret(s.NEW_PIN):
        VAULT.drop(ctx.slot(s.NEW_PIN))
        updates = reask(ctx, s.NEW_PIN, "utter_new_pin_mismatch")
        return {**updates, s.NEW_PIN_CONFIRM: None}
    reference = value if is_reference(value) else VAULT.put(again)
    return await submit_or_continue(ctx, s.NEW_PIN_CONFIRM, accepted(s.NEW_PIN_CONFIRM, reference))


def validate_device_name(ctx: StepContext, value: Any) -> Dict[str, Any]:
    name = " ".join(str(value).split())
    if not (1 <= len(name) <= MAX_DEVICE_NAME) or not name.isprintable():
        return reask(ctx, s.DEVICE_NAME, "utter_device_name_invalid", max_length=MAX_DEVICE_NAME)
    return accepted(s.DEVICE_NAME, name)


async def validate_task_confirm(ctx: StepContext, value: Any) -> Dict[str, Any]:
    answer = value if isinstance(value, bool) else read_yes_no(str(value), None)
    if answer is None:
        return reask(ctx, s.TASK_CONFIRM, "utter_yes_no_invalid")
    if not answer:
        ctx.say("utter_task_not_done", task_title=with_particle(flow_for(ctx.task).title, "은/는"))
        return accepted(s.TASK_CONFIRM, False, **{s.OUTCOME: "declined"})
    return await submit_or_continue(ctx, s.TASK_CONFIRM, accepted(s.TASK_CONFIRM, True))

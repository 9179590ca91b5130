"""The task steps after verification: PINs, device name and the confirmations."""
from __future__ import annotations

from datetime import date
from typing import Any, Dict

from actions import task_slots as s
from actions.backend_client import BackendRefused, BackendUnavailable
from actions.flows import flow_for
from actions.korean_text import with_particle
from actions.message_reading import read_yes_no
from actions.secret_vault import VAULT, is_reference
from actions.step_context import StepContext, button
from actions.step_outcomes import accepted, reask, reverify
from certpolicy import load_policy
from certpolicy.validators import PIN_PROBLEM_MESSAGES, digits_only, pin_problem

MAX_DEVICE_NAME = 20
PIN_RULES_QUESTION = "\x00pin-rules-question"  # the extraction's marker for "비밀번호 몇 자리예요?"
ACCOUNT_PASSWORD_LENGTH_DEFAULT = 4  # until certpolicy carries account_password_length (sec-backend)


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
        if refused.code == "REQUEST_IN_PROGRESS":
            # The same submission (same idempotency key) is still running at the backend: typically
            # "다시 시도" right after an outage whose request the backend ran late (a frozen or restarted
            # backend). Like an outage: the customer keeps their place, and the next try returns the
            # first request's result instead of ending the task with nothing done on screen.
            raise BackendUnavailable(refused.code) from None
        return {**updates, **handle_refusal(ctx, slot, refused)}


def account_password_length() -> int:
    return getattr(load_policy(), "account_password_length", ACCOUNT_PASSWORD_LENGTH_DEFAULT)


def customer_center_button() -> Dict[str, str]:
    return button("고객센터 안내", "/human_handoff")


def explain_pin_rules(ctx: StepContext, slot: str) -> Dict[str, Any]:
    """A question about the PIN rules at a PIN step: answer it, then the same step (no failure counted)."""
    if slot == s.ACCOUNT_PASSWORD:
        ctx.say("utter_account_password_rules", account_password_length=account_password_length())
    elif slot == s.NEW_PIN or slot == s.NEW_PIN_CONFIRM:
        ctx.say("utter_pin_rules_new")
    else:
        ctx.say("utter_pin_rules_current")
    return {slot: None}


def handle_refusal(ctx: StepContext, slot: str, refused: BackendRefused) -> Dict[str, Any]:
    """Business errors at a PIN or confirmation step."""
    if refused.code in ("VERIFICATION_EXPIRED", "VERIFICATION_REQUIRED"):
        return {**reverify(ctx), slot: None, s.ACCOUNT_PASSWORD: None}
    if refused.code == "SECOND_FACTOR_REQUIRED":
        # The token has no checked account password (e.g. verified again): ask it, then the PIN again.
        VAULT.drop(ctx.slot(s.NEW_PIN), ctx.slot(s.NEW_PIN_CONFIRM))
        ctx.say("utter_account_password_again")
        return {s.ACCOUNT_PASSWORD: None, s.NEW_PIN: None, s.NEW_PIN_CONFIRM: None}
    if refused.code == "PIN_INVALID":
        return reask(ctx, s.CURRENT_PIN, text=refused.message)
    if refused.code == "CERT_LOCKED":
        # An ending: no step marker, so the widget's header stops showing a step.
        ctx.say("utter_task_cert_locked", buttons=[button("재발급하기", "/issue_certificate")])
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
        await ctx.client.check_pin(ctx.verification_token, ctx.slot(s.CERT_SERIAL), pin)
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


async def validate_account_password(ctx: StepContext, value: Any) -> Dict[str, Any]:
    """Issuance's second factor: the 계좌 비밀번호, checked by the backend before any PIN is chosen."""
    length = account_password_length()
    typed = VAULT.get(value) if is_reference(value) else str(value)
    password = digits_only(typed or "", length)
    if password is None:
        return reask(ctx, s.ACCOUNT_PASSWORD, "utter_account_password_format", account_password_length=length)
    try:
        await ctx.client.verify_second_factor(ctx.verification_token, password)
    except BackendRefused as refused:
        VAULT.drop(value)  # kept only while the backend was unreachable
        if refused.code == "SECOND_FACTOR_INVALID":
            remaining = refused.details.get("remaining_attempts")
            if remaining is None:
                return reask(ctx, s.ACCOUNT_PASSWORD, text=refused.message)
            return reask(ctx, s.ACCOUNT_PASSWORD, "utter_account_password_wrong", remaining_attempts=remaining)
        if refused.code == "SECOND_FACTOR_LOCKED":
            ctx.say("utter_second_factor_locked", buttons=[customer_center_button()])
            return {s.ACCOUNT_PASSWORD: s.MASKED, s.OUTCOME: "second_factor_locked"}
        if refused.code == "NOT_A_BANK_CUSTOMER":
            ctx.say("utter_not_a_bank_customer", buttons=[customer_center_button()])
            return {s.ACCOUNT_PASSWORD: s.MASKED, s.OUTCOME: "not_a_bank_customer"}
        return handle_refusal(ctx, s.ACCOUNT_PASSWORD, refused)
    VAULT.drop(value)
    return accepted(s.ACCOUNT_PASSWORD, s.MASKED)

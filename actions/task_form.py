"""validate_task_form: the one form behind every guided task.

The form asks identity questions first (skipped while a verification token is valid), then
the task's own steps (actions/flows/). Answers are read from the raw message by custom
extraction: a message that is not an answer but an FAQ, a request or "취소" is left alone so the
form rejects it and a rule handles it (then the same step is asked again).
"""
from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions import task_controls, task_lifecycle, task_steps, verification_steps
from actions import task_slots as s
from actions.backend_client import BackendUnavailable, UsesBackendClient
from actions.flows import flow_for
from actions.message_reading import (is_done_saying, is_interruption, is_payload, is_pin_rules_question,
                                     latest_intent, latest_text, read_yes_no)
from actions.secret_vault import VAULT, bound_to, is_reference
from certpolicy.validators import spoken_digits
from actions.step_context import StepContext
from actions.step_outcomes import outage

log = logging.getLogger(__name__)

# Live credentials the backend handed out: kept in the vault, slots hold references only.
TOKEN_SLOTS = (s.VERIFICATION_TOKEN, s.VERIFICATION_ID, s.SUBMISSION_KEY)

Validator = Callable[[StepContext, Any], Any]

VALIDATORS: Dict[str, Validator] = {
    s.VERIFY_METHOD: verification_steps.validate_method,
    s.CUSTOMER_NAME: verification_steps.validate_name,
    s.BIRTH_DATE: verification_steps.validate_birth_date,
    s.MOBILE_NUMBER: verification_steps.validate_mobile,
    s.VERIFICATION_CODE: verification_steps.validate_code,
    s.ARS_WAIT: verification_steps.validate_ars,
    s.ACCOUNT_PASSWORD: task_steps.validate_account_password,
    s.CURRENT_PIN: task_steps.validate_current_pin,
    s.NEW_PIN: task_steps.validate_new_pin,
    s.NEW_PIN_CONFIRM: task_steps.validate_new_pin_confirm,
    s.DEVICE_NAME: task_steps.validate_device_name,
    s.TASK_CONFIRM: task_steps.validate_task_confirm,
    s.CANCEL_CONFIRM: task_controls.validate_cancel_confirm,
    s.SWITCH_CONFIRM: task_controls.validate_switch_confirm,
    # retry_confirm is handled by retry() below: it re-runs the validator of the failed step.
}


class ValidateTaskForm(UsesBackendClient, FormValidationAction):
    def name(self) -> Text:
        return "validate_task_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        """One extraction and one validator per turn, for the asked slot only.

        The SDK's default run tries every slot's extract_/validate_ method; here whether a
        message is an answer depends only on which step was asked, and a step's validator may
        fill several slots (a verified code also loads the certificate), so the turn is
        handled as a whole. The returned events follow the SDK's contract: validated SlotSets,
        then the next requested_slot (None ends the form).

        The first call (Rasa activating the form on a task request) also starts the task, and
        the last one also clears it (actions/task_lifecycle.py): no separate start and finish
        actions, one action call fewer each.
        """
        with bound_to(tracker.sender_id):
            return await self._run(tracker, dispatcher)

    async def _run(self, tracker: Tracker, dispatcher: CollectingDispatcher) -> List[EventType]:
        ctx = StepContext(tracker, dispatcher, self.client)
        if task_lifecycle.is_activation(tracker):
            updates = await task_lifecycle.begin_requested_task(ctx)
            tracker.slots.update(updates)
            events = [SlotSet(name, value) for name, value in updates.items()]
        elif _answering(tracker):
            value = _extract(tracker)
            if value is None:
                # Not an answer: return nothing so the form rejects and a rule takes over.
                return [SlotSet(s.REQUESTED, tracker.slots.get(s.REQUESTED))]
            updates = _sealed(await validate(ctx, tracker.slots[s.REQUESTED], value))
            tracker.slots.update(updates)
            events = [SlotSet(name, value) for name, value in updates.items()]
        else:
            events = []
        next_slot = next((name for name in plan(tracker.slots) if tracker.slots.get(name) is None), None)
        _forget_replaced(tracker.slots, ended=next_slot is None)
        events.append(SlotSet(s.STEP_LABEL, step_label(tracker.slots, next_slot)))
        if next_slot is None:
            events += task_lifecycle.finishing_events(tracker.slots)
        events.append(SlotSet(s.REQUESTED, next_slot))
        return events


def _sealed(updates: Dict[str, Any]) -> Dict[str, Any]:
    """Tokens a step stored in clear go into the vault; their slots keep the reference."""
    return {name: VAULT.seal(value) if name in TOKEN_SLOTS and isinstance(value, str) else value
            for name, value in updates.items()}


def _forget_replaced(slots: Dict[str, Any], ended: bool) -> None:
    """Keep in the vault only what a slot still refers to: a reference replaced (a new code, a
    re-verification) or never kept (a PIN the backend refused) goes now, and every PIN, code and
    submission key goes when the task ends. The verification token outlives the task on purpose
    (a customer verified minutes ago is not asked again); it expires with the vault's TTL."""
    if ended:
        VAULT.drop(*(slots.get(name) for name in (*s.SECRET_SLOTS, s.SUBMISSION_KEY)))
        slots = {name: value for name, value in slots.items() if name not in (*s.SECRET_SLOTS, s.SUBMISSION_KEY)}
    VAULT.retain([value for value in slots.values() if is_reference(value)])


def plan(slots: Dict[str, Any]) -> List[str]:
    """Slots still to ask, in order; empty when the task has ended."""
    flow = flow_for(slots.get(s.TASK))
    if flow is None or slots.get(s.OUTCOME):
        return []
    if slots.get(s.CANCEL_PENDING):
        return [s.CANCEL_CONFIRM]
    if slots.get(s.SWITCH_TO):
        return [s.SWITCH_CONFIRM]
    if slots.get(s.OUTAGE_SLOT):
        return [s.RETRY_CONFIRM]
    verified = slots.get(s.VERIFICATION_TOKEN) and slots.get(s.CERT_STATE)
    if not verified:
        return verification_steps.verification_plan(slots)
    return flow.plan(slots)


def step_label(slots: Dict[str, Any], slot: Optional[str]) -> Optional[str]:
    flow = flow_for(slots.get(s.TASK))
    if flow is None or slot is None:
        return None
    if slot in (s.CANCEL_CONFIRM, s.SWITCH_CONFIRM, s.RETRY_CONFIRM):
        return slots.get(s.STEP_LABEL)
    return flow.label(slot, slots)


def _answering(tracker: Tracker) -> bool:
    """Whether the form runs right on a customer's message (an answer to the asked step).

    Not when it runs after another action: the one starting the task, or a rule that just
    handled an interruption. Rasa appends the form's own ActionExecuted before calling us.
    """
    if not tracker.slots.get(s.REQUESTED):
        return False
    for event in reversed(tracker.events):
        kind, name = event.get("event"), event.get("name")
        if kind == "user":
            return True
        if kind == "action" and name not in ("task_form", "action_extract_slots"):
            return False
    return False


def _extract(tracker: Tracker) -> Any:
    """The answer to the requested slot, or None when the message is an interruption."""
    slot = tracker.slots[s.REQUESTED]
    text, intent = latest_text(tracker), latest_intent(tracker)
    if slot in s.CONFIRM_SLOTS:
        answer = read_yes_no(text, intent, cancelling=slot == s.CANCEL_CONFIRM)
        if answer is not None:
            return answer
    elif is_payload(text):
        pass  # a button from an earlier message: never an answer to this step
    elif is_reference(text.strip()):
        # Only a step's own retry may hand a vault reference to a validator; typed in, it is
        # just text (an empty answer: the step explains what it expects).
        return ""
    elif slot in s.PIN_SLOTS + (s.ACCOUNT_PASSWORD,) and is_pin_rules_question(text):
        return task_steps.PIN_RULES_QUESTION  # "몇 자리예요?": the rules, then the same step
    elif slot == s.ARS_WAIT and (is_done_saying(text) or verification_steps.read_method(text)):
        return text  # "완료": ask the backend whether the call confirmed; or another call / a text instead
    elif slot in s.SECRET_SLOTS or slot in (s.BIRTH_DATE, s.MOBILE_NUMBER):
        if any(ch.isdigit() for ch in spoken_digits(text)):
            return text  # digits (also read aloud: 공일공…) are always the answer, whatever NLU thought
    elif slot == s.CUSTOMER_NAME and verification_steps.read_name(text):
        return text
    elif slot == s.VERIFY_METHOD and verification_steps.read_method(text):
        return text
    if is_interruption(tracker):
        return None
    return text  # something else: the step's validator explains what is expected


async def validate(ctx: StepContext, slot: str, value: Any) -> Dict[str, Any]:
    if value == task_steps.PIN_RULES_QUESTION:
        return task_steps.explain_pin_rules(ctx, slot)
    validator = retry if slot == s.RETRY_CONFIRM else VALIDATORS[slot]
    try:
        result = validator(ctx, value)
        return await result if isinstance(result, Awaitable) else result
    except BackendUnavailable:
        pass
    except Exception as error:  # noqa: BLE001 - any bug or surprise must not escape the form
        # An escaped error makes rasa-sdk answer 500 and Rasa log the failed call: the customer
        # would see nothing useful. Treated like an outage: apology, "다시 시도", place kept.
        # Only the error's type is logged: its message may quote what the customer typed.
        log.error("step %s failed unexpectedly: %s", slot, type(error).__name__)
    # Keep the submission's idempotency key: the retry must not create a second certificate.
    return {**outage(slot, task_controls.keepable(slot, value)),
            s.SUBMISSION_KEY: ctx.slot(s.SUBMISSION_KEY)}


async def retry(ctx: StepContext, value: Any) -> Dict[str, Any]:
    """"다시 시도": run the failed step again with what the customer already gave."""
    if value is False:
        return task_controls.give_up(ctx)
    if value is not True:
        return task_controls.reask_yes_no(ctx, s.RETRY_CONFIRM)
    failed = ctx.slot(s.OUTAGE_SLOT)
    cleared = {s.OUTAGE_SLOT: None, s.RETRY_CONFIRM: None}
    ctx.tracker.slots.update(cleared)
    if failed == verification_steps.LOOKUP:
        try:
            return {**cleared, **await verification_steps.after_verification(ctx)}
        except BackendUnavailable:
            return outage(verification_steps.LOOKUP, s.MASKED)
    return {**cleared, **await validate(ctx, failed, ctx.slot(failed))}

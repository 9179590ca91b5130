"""validate_task_form: the one form behind every guided task.

The form asks identity questions first (skipped while a verification token is valid), then
the task's own steps (actions/flows/). Answers are read from the raw message by custom
extraction: a message that is not an answer but an FAQ, a request or "취소" is left alone so the
form rejects it and a rule handles it (then the same step is asked again).
"""
from __future__ import annotations

from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions import task_controls, task_steps, verification_steps
from actions import task_slots as s
from actions.backend_client import BackendUnavailable, UsesBackendClient
from actions.flows import flow_for
from actions.message_reading import (is_done_saying, is_interruption, is_payload, is_pin_rules_question,
                                     latest_intent, latest_text, read_yes_no)
from certpolicy.validators import spoken_digits
from actions.step_context import StepContext
from actions.step_outcomes import outage

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
        """
        ctx = StepContext(tracker, dispatcher, self.client)
        if _answering(tracker):
            value = _extract(tracker)
            if value is None:
                # Not an answer: return nothing so the form rejects and a rule takes over.
                return [SlotSet(s.REQUESTED, tracker.slots.get(s.REQUESTED))]
            updates = await validate(ctx, tracker.slots[s.REQUESTED], value)
            tracker.slots.update(updates)
            events = [SlotSet(name, value) for name, value in updates.items()]
        else:
            events = []
        next_slot = next((name for name in plan(tracker.slots) if tracker.slots.get(name) is None), None)
        events.append(SlotSet(s.STEP_LABEL, step_label(tracker.slots, next_slot)))
        events.append(SlotSet(s.REQUESTED, next_slot))
        return events


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

"""Identity verification, shared by every task: method, name, birth date, mobile, code."""
from __future__ import annotations

import time
from datetime import datetime
from typing import Any, Dict, List, Optional

from actions import task_slots as s
from actions.backend_client import BackendRefused, BackendUnavailable
from actions.certificate_lookup import look_up
from actions.flows import flow_for
from actions.message_reading import read_method, read_name
from actions.secret_vault import VAULT, is_reference
from actions.step_context import StepContext
from actions.step_outcomes import accepted, outage, reask
from certpolicy import load_policy
from certpolicy.validators import digits_only, normalize_mobile, parse_birth_date, spoken_digits

LOOKUP = "certificate_lookup"  # the outage marker when only the lookup after verification failed
_FIELD_TO_SLOT = {"name": s.CUSTOMER_NAME, "birth_date": s.BIRTH_DATE, "phone": s.MOBILE_NUMBER}


def verification_plan(slots: Dict[str, Any]) -> List[str]:
    """Method, name, birth date, mobile, then the SMS code, or, for ARS, the wait for the call."""
    last = s.ARS_WAIT if slots.get(s.VERIFY_METHOD) == "ars" else s.VERIFICATION_CODE
    return [s.VERIFY_METHOD, s.CUSTOMER_NAME, s.BIRTH_DATE, s.MOBILE_NUMBER, last]


def validate_method(ctx: StepContext, value: Any) -> Dict[str, Any]:
    method = read_method(str(value))
    if method is None:
        return reask(ctx, s.VERIFY_METHOD, "utter_verify_method_invalid")
    if method == "branch":
        # A branch visit is for joining internet banking, not a way to verify here: explain, ask again.
        ctx.say("utter_verify_branch")
        return {s.VERIFY_METHOD: None}
    return accepted(s.VERIFY_METHOD, method)


def validate_name(ctx: StepContext, value: Any) -> Dict[str, Any]:
    name = read_name(str(value))
    if name is None:
        return reask(ctx, s.CUSTOMER_NAME, "utter_name_invalid")
    return accepted(s.CUSTOMER_NAME, name)


def validate_birth_date(ctx: StepContext, value: Any) -> Dict[str, Any]:
    born = parse_birth_date(str(value), datetime.now().date())
    if born is None:
        return reask(ctx, s.BIRTH_DATE, "utter_birth_date_invalid")
    return accepted(s.BIRTH_DATE, born.isoformat())


async def validate_mobile(ctx: StepContext, value: Any) -> Dict[str, Any]:
    mobile = normalize_mobile(spoken_digits(str(value)))
    if mobile is None:
        return reask(ctx, s.MOBILE_NUMBER, "utter_mobile_invalid")
    return await send_code(ctx, mobile)


async def send_code(ctx: StepContext, mobile: str) -> Dict[str, Any]:
    """Start the verification at the backend: the code goes to the (demo) phone."""
    try:
        started = await ctx.client.start_verification(ctx.slot(s.VERIFY_METHOD), ctx.slot(s.CUSTOMER_NAME),
                                                      ctx.slot(s.BIRTH_DATE), mobile)
    except BackendRefused as refused:
        slot = _FIELD_TO_SLOT.get(refused.details.get("field"), s.MOBILE_NUMBER)
        return {**reask(ctx, slot, text=refused.message), s.MOBILE_NUMBER: None}
    return accepted(s.MOBILE_NUMBER, mobile, **{
        s.VERIFICATION_ID: started["verification_id"], s.MASKED_PHONE: started["masked_phone"],
        s.ARS_DIGITS: started.get("ars_digits"), s.VERIFICATION_CODE: None, s.ARS_WAIT: None})


async def validate_code(ctx: StepContext, value: Any) -> Dict[str, Any]:
    length = load_policy().sms_code_length
    code = digits_only(str(VAULT.get(value) if is_reference(value) else value), length)
    if code is None:
        return reask(ctx, s.VERIFICATION_CODE, "utter_code_invalid", code_length=length)
    try:
        confirmed = await ctx.client.confirm_verification(ctx.verification_id, code)
    except BackendRefused as refused:
        remaining = refused.details.get("remaining_attempts")
        if refused.code == "VERIFICATION_FAILED" and remaining:
            return reask(ctx, s.VERIFICATION_CODE, text=refused.message)
        # Expired, used up or gone: send a fresh code to the same number.
        ctx.say(text=refused.message)
        ctx.say("utter_code_resent")
        return {**await send_code(ctx, ctx.slot(s.MOBILE_NUMBER)), s.VERIFICATION_CODE: None}
    return await verified(ctx, accepted(s.VERIFICATION_CODE, s.MASKED), confirmed)


async def validate_ars(ctx: StepContext, value: Any) -> Dict[str, Any]:
    """Whatever the customer says at the ARS step ('완료'), ask the backend whether the call confirmed.

    The proof is the phone keying the digits in: the chat never sends them, it only asks.
    "문자로 받을게요" / "전화 다시 받을게요" at this step starts a new check with that method instead.
    """
    method = read_method(str(value))
    if method in ("sms", "ars"):
        ctx.tracker.slots[s.VERIFY_METHOD] = method
        return {s.VERIFY_METHOD: method, **await send_code(ctx, ctx.slot(s.MOBILE_NUMBER))}
    try:
        confirmed = await ctx.client.confirm_verification(ctx.verification_id, None)
    except BackendRefused as refused:
        if refused.code == "ARS_PENDING":
            ctx.say("utter_ars_pending")
            return {s.ARS_WAIT: None}  # waiting for the call is not the customer's mistake: no failure count
        # The call failed (digits wrong too often), expired or is gone: choose a method again.
        ctx.say("utter_ars_failed", reason=refused.message)
        return {name: None for name in (s.VERIFY_METHOD, s.MOBILE_NUMBER, s.VERIFICATION_ID, s.ARS_DIGITS,
                                        s.ARS_WAIT, s.VERIFICATION_CODE)}
    return await verified(ctx, accepted(s.ARS_WAIT, "confirmed"), confirmed)


async def verified(ctx: StepContext, updates: Dict[str, Any], confirmed: Dict[str, Any]) -> Dict[str, Any]:
    """Identity confirmed: keep the token, greet by name, look the certificate up."""
    expires_at = time.time() + load_policy().token_ttl_minutes * 60
    updates = {**updates, s.VERIFICATION_TOKEN: confirmed["verification_token"], s.TOKEN_EXPIRES_AT: expires_at}
    ctx.tracker.slots.update(updates)
    ctx.say("utter_verified", customer_name=ctx.slot(s.CUSTOMER_NAME))
    try:
        return {**updates, **await after_verification(ctx, confirmed.get("certificate_status"))}
    except BackendUnavailable:
        return {**updates, **outage(LOOKUP, s.MASKED)}


async def after_verification(ctx: StepContext, status: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    """Look the certificate up and let the task react (continue, or end with an explanation).

    ``status`` is the certificate status a confirmation returned with its token (no second request);
    without it the backend is asked."""
    cert = await look_up(ctx, status)
    ctx.tracker.slots.update(cert)
    flow = flow_for(ctx.task)
    reaction = await flow.after_lookup(ctx, cert) if flow else {}
    return {**cert, **reaction}

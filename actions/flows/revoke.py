"""Revocation: verify, an explicit warning of what stops working, then the PIN, which revokes.

The PIN comes last, as in a renewal (actions/flows/renew.py): typing it is the signature, and the
backend checks it in the revocation itself (one request, one scrypt derivation)."""
from __future__ import annotations

from actions import task_slots as s
from actions.flows.base import Flow, Updates, common_dead_ends, end, issue_button
from actions.step_context import StepContext

STEPS = ("본인 확인", "폐기 확인", "비밀번호 입력")


class RevokeFlow(Flow):
    task = "revoke_certificate"
    title = "금융인증서 폐기"
    submit_slot = s.CURRENT_PIN
    step_titles = STEPS
    slot_steps = {s.TASK_CONFIRM: 2, s.CURRENT_PIN: 3}
    plan_slots = (s.TASK_CONFIRM, s.CURRENT_PIN)

    async def after_lookup(self, ctx: StepContext, cert: Updates) -> Updates:
        if cert[s.CERT_STATE] == "expired":
            return {}  # an expired certificate can still be revoked
        return common_dead_ends(ctx, self, cert) or {}

    async def submit(self, ctx: StepContext) -> Updates:
        await ctx.client.revoke(ctx.verification_token, ctx.slot(s.CERT_SERIAL), ctx.secret(s.CURRENT_PIN))
        ctx.say("utter_revoke_done", buttons=[issue_button()])
        return end("revoked")

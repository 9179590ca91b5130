"""PIN change: verify, current PIN, new PIN twice."""
from __future__ import annotations

from actions import task_slots as s
from actions.flows.base import Flow, Updates, common_dead_ends, end
from actions.step_context import StepContext

STEPS = ("본인 확인", "현재 비밀번호", "새 비밀번호")


class ChangePinFlow(Flow):
    task = "change_pin"
    title = "비밀번호 변경"
    submit_slot = s.NEW_PIN_CONFIRM
    step_titles = STEPS
    slot_steps = {s.CURRENT_PIN: 2, s.NEW_PIN: 3, s.NEW_PIN_CONFIRM: 3}
    plan_slots = (s.CURRENT_PIN, s.NEW_PIN, s.NEW_PIN_CONFIRM)

    async def after_lookup(self, ctx: StepContext, cert: Updates) -> Updates:
        return common_dead_ends(ctx, self, cert) or {}

    async def submit(self, ctx: StepContext) -> Updates:
        await ctx.client.change_pin(ctx.verification_token, ctx.slot(s.CERT_SERIAL),
                                    ctx.secret(s.CURRENT_PIN), ctx.secret(s.NEW_PIN))
        ctx.say("utter_change_pin_done")
        return end("pin_changed")

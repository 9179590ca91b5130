"""Renewal, walked through step by step: the heart of the product.

The customer sees the new expiry date and agrees first; the certificate PIN comes last and renews at
once, as in the bank's app, where typing the PIN is what signs the request. One backend request and
one scrypt derivation per renewal: a separate PIN check before the summary cost a second of each
(docs/conversation-flows.md, docs/performance.md). A wrong PIN asks for the PIN again; the agreement
stands."""
from __future__ import annotations

from typing import Any, Dict

from actions import task_slots as s
from actions.flows.base import Flow, Updates, common_dead_ends, end, status_button
from actions.flows.submission import submission_key
from actions.korean_text import korean_date
from actions.step_context import StepContext, button, faq_button

STEPS = ("본인 확인", "인증서 확인", "갱신 확인", "비밀번호 입력")


class RenewFlow(Flow):
    task = "renew_certificate"
    title = "금융인증서 갱신"
    submit_slot = s.CURRENT_PIN
    step_titles = STEPS
    slot_steps = {s.TASK_CONFIRM: 3, s.CURRENT_PIN: 4}
    plan_slots = (s.TASK_CONFIRM, s.CURRENT_PIN)

    def introduction(self, verified: bool = False) -> str:
        return "utter_renew_intro"

    async def after_lookup(self, ctx: StepContext, cert: Updates) -> Updates:
        dead_end = common_dead_ends(ctx, self, cert)
        if dead_end:
            return dead_end
        if cert[s.CERT_STATE] == "active":
            # An ending: no step marker (the widget's header clears).
            ctx.say("utter_renew_not_open", buttons=[status_button(), faq_button("갱신 기간 안내", "renew_period")],
                    **_dates(cert))
            return end("renewal_not_open")
        ctx.say("utter_renew_in_window", step_label=f"[2/{len(STEPS)}] {STEPS[1]}", **_dates(cert))
        return {}

    async def submit(self, ctx: StepContext) -> Updates:
        result = await ctx.client.renew(ctx.verification_token, ctx.slot(s.CERT_SERIAL),
                                        ctx.secret(s.CURRENT_PIN), submission_key(ctx))
        cert = result["certificate"]
        ctx.say("utter_renew_done", new_serial=cert["serial"], new_expires_on=korean_date(cert["expires_on"]),
                buttons=[faq_button("다른 은행 인증서 등록", "register_other_bank"),
                         button("내 인증서 상태 보기", "/check_certificate")])
        return end("renewed")


def _dates(cert: Updates) -> Dict[str, Any]:
    return {key: cert[key] for key in (s.CERT_EXPIRES_ON, s.CERT_DAYS_LEFT, s.RENEWAL_OPENS_ON,
                                       s.DAYS_UNTIL_OPEN, s.NEW_EXPIRES_ON)}

"""Issuance and reissue: verify, then (knowing which) confirm a reissue, the account password, a PIN twice.

Whether it is an issue or a reissue is known only after verification (the backend shows a
certificate only to a verified customer). Both plans have three steps, so the "[n/3]" total
shown from the first step never changes; the plan is announced once the lookup says which.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence

from actions import task_slots as s
from actions.certificate_lookup import STATE_WORDS
from actions.flows.base import Flow, Updates, end
from actions.flows.submission import submission_key
from actions.korean_text import korean_date
from actions.step_context import StepContext, button, faq_button

ISSUE_STEPS = ("본인 확인", "계좌 비밀번호", "인증서 비밀번호 정하기")
REISSUE_STEPS = ("본인 확인", "재발급 확인", "인증서 비밀번호 정하기")


def _is_reissue(slots: Dict[str, Any]) -> bool:
    return slots.get(s.CERT_STATE) not in (None, "none")


class IssueFlow(Flow):
    task = "issue_certificate"
    title = "금융인증서 발급"
    submit_slot = s.NEW_PIN_CONFIRM

    def steps(self, slots: Dict[str, Any]) -> Sequence[str]:
        return REISSUE_STEPS if _is_reissue(slots) else ISSUE_STEPS

    def step_of(self, slot: str, slots: Dict[str, Any]) -> int:
        if slot in (s.TASK_CONFIRM, s.ACCOUNT_PASSWORD):
            return 2
        if slot in (s.NEW_PIN, s.NEW_PIN_CONFIRM):
            return 3
        return 1

    def plan(self, slots: Dict[str, Any]) -> List[str]:
        confirm = [s.TASK_CONFIRM] if _is_reissue(slots) else []
        return confirm + [s.ACCOUNT_PASSWORD, s.NEW_PIN, s.NEW_PIN_CONFIRM]

    def introduction(self, verified: bool = False) -> Optional[str]:
        # A customer verified a moment ago gets the issue-or-reissue plan right after the lookup;
        # before verification we cannot know which, so the intro says both are possible.
        return None if verified else "utter_issue_intro"

    async def after_lookup(self, ctx: StepContext, cert: Updates) -> Updates:
        if cert[s.CERT_STATE] == "none":
            ctx.say("utter_issue_plan_new")
        else:
            ctx.say("utter_issue_plan_reissue",
                    cert_state_word=STATE_WORDS.get(cert[s.CERT_STATE], cert[s.CERT_STATE]),
                    cert_expires_on=cert[s.CERT_EXPIRES_ON])
        return {}

    async def submit(self, ctx: StepContext) -> Updates:
        result = await ctx.client.issue(ctx.verification_token, ctx.secret(s.NEW_PIN), submission_key(ctx))
        cert = result["certificate"]
        response = "utter_reissue_done" if result.get("reissued") else "utter_issue_done"
        ctx.say(response, new_serial=cert["serial"], new_expires_on=korean_date(cert["expires_on"]),
                buttons=[faq_button("다른 은행 인증서 등록", "register_other_bank"),
                         button("다른 기기 연결", "/copy_certificate")])
        return end("issued")

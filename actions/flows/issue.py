"""Issuance and reissue: verify, choose a PIN twice, issue."""
from __future__ import annotations

from typing import Any, Dict, List, Sequence

from actions import task_slots as s
from actions.certificate_lookup import STATE_WORDS
from actions.flows.base import Flow, Updates, end
from actions.flows.submission import submission_key
from actions.step_context import StepContext, button, faq_button


def _is_reissue(slots: Dict[str, Any]) -> bool:
    return slots.get(s.CERT_STATE) not in (None, "none")


class IssueFlow(Flow):
    task = "issue_certificate"
    title = "금융인증서 발급"
    submit_slot = s.NEW_PIN_CONFIRM

    def steps(self, slots: Dict[str, Any]) -> Sequence[str]:
        if _is_reissue(slots):
            return ("본인 확인", "재발급 확인", "비밀번호 정하기")
        return ("본인 확인", "비밀번호 정하기")

    def step_of(self, slot: str, slots: Dict[str, Any]) -> int:
        if slot == s.TASK_CONFIRM:
            return 2
        if slot in (s.NEW_PIN, s.NEW_PIN_CONFIRM):
            return len(self.steps(slots))
        return 1

    def plan(self, slots: Dict[str, Any]) -> List[str]:
        confirm = [s.TASK_CONFIRM] if _is_reissue(slots) else []
        return confirm + [s.NEW_PIN, s.NEW_PIN_CONFIRM]

    def introduction(self) -> str:
        return "utter_issue_intro"

    async def after_lookup(self, ctx: StepContext, cert: Updates) -> Updates:
        if cert[s.CERT_STATE] != "none":
            ctx.dispatcher.utter_message(response="utter_issue_has_certificate",
                                         cert_state_word=STATE_WORDS.get(cert[s.CERT_STATE], cert[s.CERT_STATE]),
                                         cert_expires_on=cert[s.CERT_EXPIRES_ON])
        return {}

    async def submit(self, ctx: StepContext) -> Updates:
        result = await ctx.client.issue(ctx.slot(s.VERIFICATION_TOKEN), ctx.secret(s.NEW_PIN), submission_key(ctx))
        cert = result["certificate"]
        ctx.say("utter_issue_done", new_serial=cert["serial"], new_expires_on=cert["expires_on"],
                reissued="재발급" if result.get("reissued") else "발급",
                buttons=[faq_button("다른 은행 인증서 등록", "register_other_bank"),
                         button("다른 기기 연결", "/copy_certificate")])
        return end("issued")

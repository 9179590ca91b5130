"""Status: the verified customer's certificate, its state, expiry and devices."""
from __future__ import annotations

from typing import List

from actions import task_slots as s
from actions.certificate_lookup import STATE_WORDS, device_lines
from actions.flows.base import Flow, Updates, end, issue_button, reissue_button
from actions.step_context import StepContext, button

STEPS = ("본인 확인", "인증서 조회")


class StatusFlow(Flow):
    task = "check_certificate"
    title = "인증서 조회"
    step_titles = STEPS  # verification, then the lookup shows everything: nothing else to ask

    async def after_lookup(self, ctx: StepContext, cert: Updates) -> Updates:
        # The summary ends the task: no step marker, so the widget's header clears.
        state = cert[s.CERT_STATE]
        if state == "none":
            ctx.say("utter_task_no_certificate", buttons=[issue_button()])
            return end("status_shown")
        buttons = []
        if state == "expiring":
            buttons.append(button("지금 갱신하기", "/renew_certificate"))
        elif state in ("expired", "locked"):
            buttons.append(reissue_button())
        else:
            buttons.append(button("다른 기기 연결", "/copy_certificate"))
        devices = cert[s.DEVICES] or []
        ctx.say("utter_status_summary", buttons=buttons, cert_state_word=STATE_WORDS.get(state, state),
                status_lines=status_lines(cert, len(devices)), state_note=_note(state))
        return end("status_shown")


def status_lines(cert: Updates, device_count: int) -> str:
    """Only what applies: no days left or renewal date for a certificate that cannot be renewed."""
    state = cert[s.CERT_STATE]
    lines: List[str] = []
    if state == "expired":
        lines.append(f"- 만료일: {cert[s.CERT_EXPIRES_ON]} (유효기간이 지났어요)")
    elif state == "locked":
        lines.append(f"- 만료일: {cert[s.CERT_EXPIRES_ON]}")
    else:
        lines.append(f"- 만료일: {cert[s.CERT_EXPIRES_ON]} ({cert[s.CERT_DAYS_LEFT]}일 남음)")
        if state == "active" and cert.get(s.RENEWAL_OPENS_ON):
            lines.append(f"- 갱신 가능일: {cert[s.RENEWAL_OPENS_ON]}부터")
    if state not in ("expired", "locked"):
        lines.append(f"- 연결된 기기: {device_count}대")
    return "\n".join(lines)


def _note(state: str) -> str:
    return {
        "expiring": "갱신 기간이에요. 만료되기 전에 갱신해 주세요.",
        "expired": "유효기간이 지나 갱신할 수 없어요. 재발급을 받아 주세요.",
        "locked": "비밀번호를 여러 번 틀려 잠겨 있어요. 재발급을 받으면 다시 쓸 수 있어요.",
    }.get(state, "지금 바로 쓸 수 있어요.")

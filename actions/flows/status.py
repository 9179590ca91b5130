"""Status: the verified customer's certificate, its state, expiry and devices."""
from __future__ import annotations

from actions import task_slots as s
from actions.certificate_lookup import STATE_WORDS, device_lines
from actions.flows.base import Flow, Updates, end, issue_button, reissue_button
from actions.step_context import StepContext, button
from certpolicy import load_policy

STEPS = ("본인 확인", "인증서 조회")


class StatusFlow(Flow):
    task = "check_certificate"
    title = "인증서 조회"
    step_titles = STEPS  # verification, then the lookup shows everything: nothing else to ask

    async def after_lookup(self, ctx: StepContext, cert: Updates) -> Updates:
        label = f"[2/{len(STEPS)}] {STEPS[1]}"
        state = cert[s.CERT_STATE]
        if state == "none":
            ctx.say("utter_task_no_certificate", buttons=[issue_button()], step_label=label)
            return end("status_shown")
        buttons = []
        if state == "expiring":
            buttons.append(button("지금 갱신하기", "/renew_certificate"))
        elif state in ("expired", "locked"):
            buttons.append(reissue_button())
        else:
            buttons.append(button("다른 기기 연결", "/copy_certificate"))
        ctx.say("utter_status_summary", buttons=buttons, step_label=label,
                cert_state_word=STATE_WORDS.get(state, state), cert_expires_on=cert[s.CERT_EXPIRES_ON],
                cert_days_left=cert[s.CERT_DAYS_LEFT], renewal_opens_on=cert[s.RENEWAL_OPENS_ON],
                device_count=len(cert[s.DEVICES] or []), max_devices=load_policy().max_devices,
                device_list=device_lines(cert[s.DEVICES]), state_note=_note(state))
        return end("status_shown")


def _note(state: str) -> str:
    return {
        "expiring": "갱신 기간이에요. 만료되기 전에 갱신해 주세요.",
        "expired": "유효기간이 지나 갱신할 수 없어요. 재발급을 받아 주세요.",
        "locked": "비밀번호 오류로 잠겨 있어요. 재발급을 받으면 다시 쓸 수 있어요.",
    }.get(state, "지금 바로 쓸 수 있어요.")

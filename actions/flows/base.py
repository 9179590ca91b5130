"""What a guided task is: its steps, the slots it asks after verification, and its ends."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence

from actions import task_slots as s
from actions.step_context import StepContext, button

Updates = Dict[str, Any]


class Flow:
    task: str = ""
    title: str = ""  # "금융인증서 갱신": used in "…을 그만둘까요?"
    # Most flows are fixed sequences, declared with these three; IssueFlow computes its own.
    step_titles: Sequence[str] = ("본인 확인",)
    slot_steps: Dict[str, int] = {}  # asked slot -> step number; verification slots are step 1
    plan_slots: Sequence[str] = ()

    def steps(self, slots: Dict[str, Any]) -> Sequence[str]:
        """Step titles; step 1 is always identity verification."""
        return self.step_titles

    def step_of(self, slot: str, slots: Dict[str, Any]) -> int:
        """Which step a requested slot belongs to (1-based)."""
        return self.slot_steps.get(slot, 1)

    def plan(self, slots: Dict[str, Any]) -> List[str]:
        """Slots to ask once the customer is verified and the certificate is known."""
        return list(self.plan_slots)

    submit_slot: Optional[str] = None

    async def after_lookup(self, ctx: StepContext, cert: Updates) -> Updates:
        """React to the certificate found: say where we are, or end the task (set the outcome)."""
        return {}

    async def submit(self, ctx: StepContext) -> Updates:
        """Do the task at the backend once its last slot is valid."""
        return {}

    def introduction(self, verified: bool = False) -> Optional[str]:
        """Said when the task starts (before the first question); ``verified``: identity is reused."""
        return None

    def label(self, slot: str, slots: Dict[str, Any]) -> str:
        steps = self.steps(slots)
        number = min(self.step_of(slot, slots), len(steps))
        return f"[{number}/{len(steps)}] {steps[number - 1]}"


def end(outcome: str) -> Updates:
    return {s.OUTCOME: outcome}


def reissue_button() -> Dict[str, str]:
    return button("재발급하기", "/issue_certificate")


def issue_button() -> Dict[str, str]:
    return button("새로 발급하기", "/issue_certificate")


def status_button() -> Dict[str, str]:
    return button("내 인증서 상태 보기", "/check_certificate")


def common_dead_ends(ctx: StepContext, flow: Flow, cert: Updates) -> Optional[Updates]:
    """Endings every certificate task shares: no certificate, expired, locked.

    Endings carry no "[n/m]" step marker: the task is over, so the widget's header must stop
    showing a step (a reply without a marker clears it).
    """
    state = cert[s.CERT_STATE]
    if state == "none":
        ctx.say("utter_task_no_certificate", buttons=[issue_button()])
        return end("no_certificate")
    if state == "expired":
        ctx.say("utter_task_cert_expired", buttons=[reissue_button()],
                cert_expires_on=cert[s.CERT_EXPIRES_ON])
        return end("expired")
    if state == "locked":
        ctx.say("utter_task_cert_locked", buttons=[reissue_button()])
        return end("locked")
    return None

"""Texts to the customer's phone after a change they must be able to disown.

Every issuance, reissue and renewal texts the verified phone, so a customer whose certificate was
replaced by someone else learns it at once. In demo mode the text lands on the demo phone (tagged
with the conversation that caused it); the audit log records every notice in any mode.
"""
from __future__ import annotations

from certbackend import audit
from certbackend.context import ServiceContext
from certbackend.verification import TokenInfo

WHAT = {
    "issued": "금융인증서가 새로 발급됐어요.",
    "reissued": "금융인증서가 재발급됐어요. 이전 인증서는 더 이상 쓸 수 없어요.",
    "renewed": "금융인증서가 갱신됐어요.",
}


def notice_text(ctx: ServiceContext, change: str) -> str:
    return (f"[KB국민은행(모의)] {WHAT[change]} 본인이 아니면 고객센터({ctx.policy.customer_center_phone})로 "
            "바로 연락해 주세요.")


def send(ctx: ServiceContext, session, info: TokenInfo, change: str, serial_hex: str) -> None:
    """Inside the transaction that made the change: no change without its notice."""
    if ctx.phone is not None and info.masked_phone:
        ctx.phone.deliver(session, "notice", info.masked_phone, notice_text(ctx, change), info.channel_ref)
    audit.record(session, ctx.clock.now(), f"customer:{info.customer_id}", "notice_sent", serial_hex,
                 change=change)

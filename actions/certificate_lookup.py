"""Reading the verified customer's current certificate into slots."""
from __future__ import annotations

from datetime import date
from typing import Any, Dict, Optional

from actions import task_slots as s
from actions.korean_text import korean_date
from actions.step_context import StepContext
from certpolicy import load_policy
from certpolicy.calendar import add_years

STATE_WORDS = {"active": "사용 중", "expiring": "갱신 기간", "expired": "만료", "locked": "잠김",
               "revoked": "폐기", "superseded": "갱신됨"}


def certificate_slots(current: Optional[Dict[str, Any]]) -> Dict[str, Any]:
    if not current:
        return {name: None for name in s.CERTIFICATE_SLOTS} | {s.CERT_STATE: "none"}
    policy = load_policy()
    expires_on = date.fromisoformat(current["expires_on"])
    # Dates are kept as they are read to the customer ("2027년 4월 1일"): the slots only feed answers.
    return {
        s.CERT_SERIAL: current["serial"],
        s.CERT_STATE: current["state"],
        s.CERT_EXPIRES_ON: korean_date(expires_on),
        s.CERT_DAYS_LEFT: current["days_left"],
        s.RENEWAL_OPENS_ON: korean_date(current.get("renewal_opens_on")),
        s.DAYS_UNTIL_OPEN: max(current["days_left"] - policy.renewal_window_days, 0),
        s.NEW_EXPIRES_ON: korean_date(add_years(expires_on, policy.validity_years)),
        s.DEVICES: [{"id": d["id"], "name": d["name"]} for d in current.get("devices", [])],
    }


async def look_up(ctx: StepContext, status: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    """The current certificate as slots (BackendUnavailable/BackendRefused propagate).

    ``status`` is a ``GET /v1/certificates`` body the caller already holds (a confirmation returns one);
    without it the backend is asked."""
    if not isinstance(status, dict):
        status = await ctx.client.status(ctx.verification_token)
    return certificate_slots(status.get("current"))


def device_lines(devices) -> str:
    if not devices:
        return "연결된 기기가 아직 없어요."
    return "\n".join(f"{n}. {d['name']}" for n, d in enumerate(devices, start=1))

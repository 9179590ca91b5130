"""Identity verification (sms / ars / branch) and the short-lived verification tokens it yields."""
from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any, Dict

from sqlalchemy import select, update

from certbackend import audit
from certbackend.context import ServiceContext
from certbackend.errors import ApiError, verification_expired, verification_required
from certbackend.hashing import token_hash
from certbackend.models import Customer, Verification, VerificationToken
from certbackend.inputs import IdentityInput
from certpolicy.validators import birth_date_forms, mask_mobile

METHODS = ("sms", "ars", "branch")
ARS_DIGITS = 2

BRANCH_GUIDANCE = (
    "영업점 방문 본인 확인은 온라인으로 진행할 수 없어요. 신분증(주민등록증, 운전면허증 또는 여권)을 "
    "가지고 가까운 KB국민은행(모의) 영업점을 방문해 주세요."
)


def start(ctx: ServiceContext, method: str, identity: IdentityInput) -> Dict[str, Any]:
    if method == "branch":
        return {"method": "branch", "online": False, "guidance": BRANCH_GUIDANCE}
    now = ctx.clock.now()
    length = ctx.policy.sms_code_length if method == "sms" else ARS_DIGITS
    code = "".join(secrets.choice("0123456789") for _ in range(length))
    verification_id = secrets.token_hex(16)
    yymmdd, mmdd = birth_date_forms(identity.birth_date)
    expires_at = now + timedelta(seconds=ctx.policy.sms_code_ttl_seconds)
    with ctx.db.transaction() as session:
        session.add(Verification(
            id=verification_id, method=method,
            identity_hash=ctx.hasher.identity(identity.name, identity.birth_date, identity.mobile),
            display_name=identity.name,
            birth_yymmdd_hash=ctx.hasher.digest("birth", yymmdd),
            birth_mmdd_hash=ctx.hasher.digest("birth", mmdd),
            code_hash=ctx.hasher.digest("code", verification_id, code),
            attempts=0, expires_at=expires_at, completed=False))
    masked = mask_mobile(identity.mobile)
    body: Dict[str, Any] = {"verification_id": verification_id, "method": method,
                            "masked_phone": masked, "expires_at": expires_at.isoformat(),
                            "max_attempts": ctx.policy.sms_max_attempts}
    if method == "sms":
        body["code_length"] = length
        text = (f"[KB국민은행(모의)] 금융인증서 본인확인 인증번호 [{code}]를 입력해 주세요. "
                f"{ctx.policy.sms_code_ttl_minutes}분 안에 입력해야 해요.")
    else:
        # ARS: the screen shows the two digits and the (pretend) call asks the customer to key them in.
        body["ars_number"] = code
        text = "[KB국민은행(모의) ARS 전화] 화면에 보이는 두 자리 숫자를 눌러 주세요."
    if ctx.settings.demo_mode:
        ctx.inbox.deliver(masked, text, now)
    return body


def confirm(ctx: ServiceContext, verification_id: str, code: str) -> Dict[str, Any]:
    now = ctx.clock.now()
    with ctx.db.transaction() as session:
        verification = session.get(Verification, verification_id)
        if verification is None or verification.completed:
            raise ApiError(404, "NOT_FOUND", "진행 중인 본인 확인이 없어요. 본인 확인을 처음부터 다시 해 주세요.")
        if verification.expires_at <= now:
            raise ApiError(400, "VERIFICATION_EXPIRED",
                           "인증번호 입력 시간이 지났어요. 인증번호를 다시 받아 주세요.")
        if verification.attempts >= ctx.policy.sms_max_attempts:
            raise _attempts_exhausted()
        method = verification.method
    if not ctx.hasher.matches(verification.code_hash, "code", verification_id, code):
        return _count_failure(ctx, verification_id, method)
    return _complete(ctx, verification_id, now)


def _attempts_exhausted() -> ApiError:
    return ApiError(400, "VERIFICATION_FAILED",
                    "인증번호를 여러 번 틀려서 이 인증번호는 더 쓸 수 없어요. 인증번호를 다시 받아 주세요.",
                    remaining_attempts=0)


def _count_failure(ctx: ServiceContext, verification_id: str, method: str) -> Dict[str, Any]:
    with ctx.db.transaction() as session:
        session.execute(update(Verification).where(Verification.id == verification_id)
                        .values(attempts=Verification.attempts + 1))
        attempts = session.get(Verification, verification_id).attempts
    remaining = max(ctx.policy.sms_max_attempts - attempts, 0)
    if remaining == 0:
        raise _attempts_exhausted()
    what = "인증번호" if method == "sms" else "숫자"
    raise ApiError(400, "VERIFICATION_FAILED",
                   f"{what}가 맞지 않아요. {remaining}번 더 입력할 수 있어요.", remaining_attempts=remaining)


def _complete(ctx: ServiceContext, verification_id: str, now) -> Dict[str, Any]:
    token = secrets.token_urlsafe(32)
    expires_at = now + timedelta(minutes=ctx.policy.token_ttl_minutes)
    with ctx.db.transaction() as session:
        # Conditional update: two concurrent confirmations with the right code yield one token.
        done = session.execute(update(Verification)
                               .where(Verification.id == verification_id, Verification.completed.is_(False))
                               .values(completed=True))
        if done.rowcount != 1:
            raise ApiError(404, "NOT_FOUND", "진행 중인 본인 확인이 없어요. 본인 확인을 처음부터 다시 해 주세요.")
        verification = session.get(Verification, verification_id)
        customer = session.execute(select(Customer).where(
            Customer.identity_hash == verification.identity_hash)).scalar_one_or_none()
        if customer is None:
            customer = Customer(identity_hash=verification.identity_hash,
                                display_name=verification.display_name,
                                birth_yymmdd_hash=verification.birth_yymmdd_hash,
                                birth_mmdd_hash=verification.birth_mmdd_hash, created_at=now)
            session.add(customer)
            session.flush()
            audit.record(session, now, f"customer:{customer.id}", "customer_created")
        session.add(VerificationToken(token_hash=token_hash(token), customer_id=customer.id,
                                      expires_at=expires_at))
        audit.record(session, now, f"customer:{customer.id}", "identity_verified",
                     method=verification.method)
        has_certificate = any(c.state == "active" for c in customer.certificates)
        name = customer.display_name
    return {"verification_token": token, "expires_at": expires_at.isoformat(),
            "customer": {"name": name, "has_certificate": has_certificate}}


def customer_for_token(ctx: ServiceContext, token: str) -> int:
    """The customer a verification token belongs to; 401 when missing, unknown or expired."""
    if not token:
        raise verification_required()
    with ctx.db.transaction() as session:
        row = session.get(VerificationToken, token_hash(token))
        if row is None:
            raise verification_required()
        if row.expires_at <= ctx.clock.now():
            raise verification_expired()
        return row.customer_id

"""Identity verification (sms / ars / branch) and the short-lived verification tokens it yields.

Who proves what:
- SMS: the code goes only to the phone; the chat's caller types it back (``confirm`` with ``code``).
- ARS: the screen shows the digits; the *phone* keys them in on the call (``key_digits``, reachable
  only with the phone-side credential). The chat's caller can only ask whether the call confirmed,
  so knowing a name, a birth date and a phone number is not enough.
Every attempt is reserved with a conditional UPDATE before the comparison, so parallel guesses
cannot exceed the limit; starts and failures are bounded per identity and per phone (quotas.py).
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Dict, Optional

from sqlalchemy import bindparam, insert, select, update

from certbackend import audit
from certbackend.context import ServiceContext
from certbackend.database import connection_of
from certbackend.errors import ApiError, too_many_requests, verification_expired, verification_required
from certbackend.hashing import token_hash
from certbackend.inputs import IdentityInput
from certbackend.models import Customer, Verification, VerificationToken
from certbackend.quotas import Rule
from certbackend.views import customer_status, has_active_certificate
from certpolicy.validators import birth_date_forms, mask_mobile

METHODS = ("sms", "ars", "branch")

BRANCH_GUIDANCE = (
    "영업점 방문 본인 확인은 온라인으로 진행할 수 없어요. 신분증(주민등록증, 운전면허증 또는 여권)을 "
    "가지고 가까운 KB국민은행(모의) 영업점을 방문해 주세요."
)
HOUR, DAY = 3600, 86400

# The statements of the hot paths (a start, a confirmation, every token check), built once and run with
# parameters on the transaction's connection (database.connection_of says why). Bind names are
# prefixed: an UPDATE reserves its columns' own names.
_VERIFICATIONS, _TOKENS = Verification.__table__, VerificationToken.__table__
_ADD_VERIFICATION = insert(_VERIFICATIONS)
_VERIFICATION = select(_VERIFICATIONS).where(_VERIFICATIONS.c.id == bindparam("v_id"))
_RESERVE = {column: update(_VERIFICATIONS).where(
    _VERIFICATIONS.c[column] == bindparam("v_key"), _VERIFICATIONS.c.attempts < bindparam("v_max"),
    _VERIFICATIONS.c.completed.is_(False), _VERIFICATIONS.c.expires_at > bindparam("v_now"),
).values(attempts=_VERIFICATIONS.c.attempts + 1) for column in ("id", "call_id")}
_COMPLETE = update(_VERIFICATIONS).where(_VERIFICATIONS.c.id == bindparam("v_id"),
                                         _VERIFICATIONS.c.completed.is_(False)).values(completed=True)
_CUSTOMERS = Customer.__table__
_CUSTOMER_OF_IDENTITY = select(_CUSTOMERS.c.id, _CUSTOMERS.c.display_name).where(
    _CUSTOMERS.c.identity_hash == bindparam("c_identity"))
_ADD_CUSTOMER = insert(_CUSTOMERS)
_ADD_TOKEN = insert(_TOKENS)
_TOKEN = select(_TOKENS).where(_TOKENS.c.token_hash == bindparam("t_hash"))


def starts_per_identity(ctx: ServiceContext) -> Rule:
    return Rule("start-identity", ctx.policy.verification_starts_per_identity_per_hour, HOUR)


def starts_per_phone(ctx: ServiceContext) -> Rule:
    return Rule("start-phone", ctx.policy.verification_starts_per_phone_per_hour, HOUR)


def failures_per_identity(ctx: ServiceContext) -> Rule:
    return Rule("fail-identity", ctx.policy.verification_failures_per_identity_per_day, DAY)


@dataclass(frozen=True)
class TokenInfo:
    customer_id: int
    token_hash: str
    masked_phone: Optional[str]
    channel_ref: Optional[str]
    second_factor_at: Optional[datetime]


def _not_in_progress() -> ApiError:
    return ApiError(404, "NOT_FOUND", "진행 중인 본인 확인이 없어요. 본인 확인을 처음부터 다시 해 주세요.")


def _expired() -> ApiError:
    return ApiError(400, "VERIFICATION_EXPIRED", "인증번호 입력 시간이 지났어요. 인증번호를 다시 받아 주세요.")


def _attempts_exhausted(method: str) -> ApiError:
    if method == "ars":
        return ApiError(400, "VERIFICATION_FAILED",
                        "전화에서 숫자를 여러 번 틀려서 이 ARS 인증은 끝났어요. 본인 확인을 다시 해 주세요.",
                        remaining_attempts=0)
    return ApiError(400, "VERIFICATION_FAILED",
                    "인증번호를 여러 번 틀려서 이 인증번호는 더 쓸 수 없어요. 인증번호를 다시 받아 주세요.",
                    remaining_attempts=0)


def _count_start(ctx: ServiceContext, session, identity_hash: str, mobile: str) -> None:
    """Inside the start's own transaction, in the order and with the answers of before: a start refused
    by one quota is rolled back with the transaction, so it counts against none of them."""
    failures = failures_per_identity(ctx)
    if ctx.quotas.exhausted(failures, identity_hash, session):
        raise too_many_requests(ctx.quotas.retry_after_seconds(failures))
    for rule, subject in ((starts_per_identity(ctx), identity_hash), (starts_per_phone(ctx), mobile)):
        if not ctx.quotas.hit(rule, subject, session):
            raise too_many_requests(ctx.quotas.retry_after_seconds(rule))


def start(ctx: ServiceContext, method: str, identity: Optional[IdentityInput],
          channel_ref: Optional[str] = None) -> Dict[str, Any]:
    if method == "branch":
        return {"method": "branch", "online": False, "guidance": BRANCH_GUIDANCE}
    identity_hash = ctx.hasher.identity(identity.name, identity.birth_date, identity.mobile)
    now = ctx.clock.now()
    length = ctx.policy.sms_code_length if method == "sms" else ctx.policy.ars_digits_length
    code = "".join(secrets.choice("0123456789") for _ in range(length))
    verification_id = secrets.token_hex(16)
    call_id = secrets.token_hex(16) if method == "ars" else None
    yymmdd, mmdd = birth_date_forms(identity.birth_date)
    expires_at = now + timedelta(seconds=ctx.policy.sms_code_ttl_seconds)
    masked = mask_mobile(identity.mobile)
    if method == "sms":
        text = (f"[KB국민은행(모의)] 금융인증서 본인확인 인증번호 [{code}]를 입력해 주세요. "
                f"{ctx.policy.sms_code_ttl_minutes}분 안에 입력해야 해요.")
    else:
        text = ("[KB국민은행(모의) ARS 전화] 금융인증서 본인 확인 전화예요. "
                "채팅 화면에 보이는 숫자를 눌러 주세요. 요청하지 않았다면 전화를 끊어 주세요.")
    # One transaction (one commit, one WAL sync): the quota counts, the verification and the text.
    with ctx.db.transaction() as session:
        _count_start(ctx, session, identity_hash, identity.mobile)
        connection_of(session).execute(_ADD_VERIFICATION, dict(
            id=verification_id, method=method, identity_hash=identity_hash, display_name=identity.name,
            birth_yymmdd_hash=ctx.hasher.digest("birth", yymmdd),
            birth_mmdd_hash=ctx.hasher.digest("birth", mmdd),
            code_hash=ctx.hasher.digest("code", verification_id, code),
            attempts=0, expires_at=expires_at, completed=False, masked_phone=masked,
            channel_ref=channel_ref, call_id=call_id, phone_confirmed=False))
        if ctx.phone is not None:
            ctx.phone.deliver(session, "sms" if method == "sms" else "ars_call", masked, text, channel_ref,
                              call_id=call_id)
    body: Dict[str, Any] = {"verification_id": verification_id, "method": method,
                            "masked_phone": masked, "expires_at": expires_at.isoformat(),
                            "max_attempts": ctx.policy.sms_max_attempts}
    if method == "sms":
        body["code_length"] = length
    else:
        # Shown on the customer's screen; proving them takes the phone, not this API's caller.
        body["ars_digits"] = code
    return body


def _reserve_attempt(ctx: ServiceContext, session, column: str, key: str, now) -> bool:
    """Count one attempt before comparing: only ``max_attempts`` comparisons can ever happen.
    ``column`` names the verification: its ``id`` (the chat) or its ``call_id`` (the phone)."""
    return connection_of(session).execute(_RESERVE[column], {
        "v_key": key, "v_max": ctx.policy.sms_max_attempts, "v_now": now}).rowcount == 1


def _load(session, verification_id: str):
    """The verification's row as it is now in this transaction (None when there is none): a Core row
    with the model's attribute names, which is all the functions below read (no ORM object)."""
    return connection_of(session).execute(_VERIFICATION, {"v_id": verification_id}).first()


def _why_refused(ctx: ServiceContext, verification: Optional[Verification], now) -> ApiError:
    if verification is None or verification.completed:
        return _not_in_progress()
    if verification.attempts >= ctx.policy.sms_max_attempts:
        return _attempts_exhausted(verification.method)
    return _expired()


def _count_failure(ctx: ServiceContext, verification: Verification) -> ApiError:
    """The error for a wrong code or wrong digits (the attempt was reserved already)."""
    with ctx.db.transaction() as session:
        ctx.quotas.hit(failures_per_identity(ctx), verification.identity_hash, session)
        attempts = session.get(Verification, verification.id).attempts
        # One event per wrong code actually compared (guessing shows up in the audit log).
        audit.record(session, ctx.clock.now(), "system", "verification_failed", method=verification.method,
                     verification=token_hash(verification.id)[:12])
    remaining = max(ctx.policy.sms_max_attempts - attempts, 0)
    if remaining == 0:
        return _attempts_exhausted(verification.method)
    what = "인증번호가" if verification.method == "sms" else "누른 숫자가"
    return ApiError(400, "VERIFICATION_FAILED", f"{what} 맞지 않아요. {remaining}번 더 입력할 수 있어요.",
                    remaining_attempts=remaining)


def _in_progress(ctx: ServiceContext, session, verification_id: str, now):
    """The verification a confirmation is for, still open, its owner not over the failure quota."""
    verification = _load(session, verification_id)
    if verification is None or verification.completed:
        raise _not_in_progress()
    if verification.expires_at <= now:
        raise _expired()
    failures = failures_per_identity(ctx)
    if ctx.quotas.exhausted(failures, verification.identity_hash, session):
        raise too_many_requests(ctx.quotas.retry_after_seconds(failures))
    return verification


def confirm(ctx: ServiceContext, verification_id: str, code: Optional[str]) -> Dict[str, Any]:
    now = ctx.clock.now()
    # One transaction reserves the attempt, compares and, on a match, completes: one commit where there
    # were four transactions. The reservation is committed whatever the comparison says: the block
    # raises only before it or when nothing could be reserved (nothing written either way).
    with ctx.db.transaction() as session:
        verification = _in_progress(ctx, session, verification_id, now)
        if verification.method == "ars":
            right = result = None
        elif code is None:
            raise ApiError(400, "VALIDATION", "인증번호를 보내 주세요.", field="code")
        elif not _reserve_attempt(ctx, session, "id", verification_id, now):
            raise _why_refused(ctx, _load(session, verification_id), now)
        else:
            right = ctx.hasher.matches(verification.code_hash, "code", verification_id, code)
            result = _complete_in(ctx, session, verification, now) if right else None
    if right is None:
        return _confirm_ars(ctx, verification, now)
    if not right:
        raise _count_failure(ctx, verification)
    return result


def _confirm_ars(ctx: ServiceContext, verification: Verification, now) -> Dict[str, Any]:
    """The chat asks whether the phone keyed the digits; it never supplies them itself."""
    if verification.phone_confirmed:
        return _complete(ctx, verification, now)
    if verification.attempts >= ctx.policy.sms_max_attempts:
        raise _attempts_exhausted("ars")
    raise ApiError(409, "ARS_PENDING", "아직 전화에서 숫자를 누르지 않았어요. 전화를 받고 화면의 숫자를 눌러 주세요.",
                   masked_phone=verification.masked_phone)


def key_digits(ctx: ServiceContext, call_id: str, digits: str) -> Dict[str, Any]:
    """Phone side: the customer keys the digits on the ARS call."""
    now = ctx.clock.now()
    with ctx.db.transaction() as session:
        verification = session.execute(select(Verification).where(
            Verification.call_id == call_id)).scalar_one_or_none()
    if verification is None:
        raise ApiError(404, "NOT_FOUND", "진행 중인 ARS 전화가 없어요.")
    if verification.phone_confirmed:
        return {"state": "confirmed"}
    if verification.completed or verification.expires_at <= now:
        raise ApiError(400, "VERIFICATION_EXPIRED", "ARS 전화 시간이 지났어요. 채팅에서 본인 확인을 다시 해 주세요.")
    if ctx.quotas.exhausted(failures_per_identity(ctx), verification.identity_hash):
        raise too_many_requests(ctx.quotas.retry_after_seconds(failures_per_identity(ctx)))
    with ctx.db.transaction() as session:
        reserved = _reserve_attempt(ctx, session, "call_id", call_id, now)
        current = session.get(Verification, verification.id) if not reserved else None
    if not reserved:
        raise _why_refused(ctx, current, now)
    if not ctx.hasher.matches(verification.code_hash, "code", verification.id, digits):
        raise _count_failure(ctx, verification)
    with ctx.db.transaction() as session:
        session.execute(update(Verification).where(
            Verification.call_id == call_id, Verification.completed.is_(False)).values(phone_confirmed=True))
        audit.record(session, now, "phone", "ars_keyed")
    return {"state": "confirmed"}


def _complete(ctx: ServiceContext, verification: Verification, now) -> Dict[str, Any]:
    with ctx.db.transaction() as session:
        return _complete_in(ctx, session, verification, now)


def _complete_in(ctx: ServiceContext, session, verification: Verification, now) -> Dict[str, Any]:
    """Mark the verification done and mint its token, inside the caller's transaction."""
    token = secrets.token_urlsafe(32)
    expires_at = now + timedelta(minutes=ctx.policy.token_ttl_minutes)
    # Conditional update: two concurrent confirmations with the right code yield one token.
    connection = connection_of(session)
    if connection.execute(_COMPLETE, {"v_id": verification.id}).rowcount != 1:
        raise _not_in_progress()
    known = connection.execute(_CUSTOMER_OF_IDENTITY, {"c_identity": verification.identity_hash}).first()
    if known is not None:
        customer_id, name = known.id, known.display_name
    else:
        # Someone the bank does not know: they may look things up, never be issued a certificate.
        name = verification.display_name
        customer_id = connection.execute(_ADD_CUSTOMER, dict(
            identity_hash=verification.identity_hash, display_name=name,
            birth_yymmdd_hash=verification.birth_yymmdd_hash, birth_mmdd_hash=verification.birth_mmdd_hash,
            created_at=now)).inserted_primary_key[0]
        audit.record(session, now, f"customer:{customer_id}", "customer_created")
    connection.execute(_ADD_TOKEN, dict(token_hash=token_hash(token), customer_id=customer_id,
                                        expires_at=expires_at, masked_phone=verification.masked_phone,
                                        channel_ref=verification.channel_ref, second_factor_at=None))
    audit.record(session, now, f"customer:{customer_id}", "identity_verified", method=verification.method)
    # The certificates come with the token: every chat task reads them right after verifying, and this
    # saves that second request (its token check, its transaction, its HTTP round trip) on the code step.
    # Nothing new is disclosed: the token just minted opens GET /v1/certificates for the same customer.
    status = customer_status(connection, customer_id, name, now, ctx.policy)
    return {"verification_token": token, "expires_at": expires_at.isoformat(),
            "customer": {"name": name, "has_certificate": has_active_certificate(status)},
            "certificate_status": status}


def token_info(ctx: ServiceContext, token: str) -> TokenInfo:
    """What a verification token stands for; 401 when missing, unknown or expired."""
    with ctx.db.transaction() as session:
        return token_info_in(ctx, connection_of(session), token)


def token_info_in(ctx: ServiceContext, connection, token: str) -> TokenInfo:
    """``token_info`` inside the caller's transaction."""
    if not token:
        raise verification_required()
    row = connection.execute(_TOKEN, {"t_hash": token_hash(token)}).first()
    if row is None:
        raise verification_required()
    if row.expires_at <= ctx.clock.now():
        raise verification_expired()
    return TokenInfo(row.customer_id, row.token_hash, row.masked_phone, row.channel_ref, row.second_factor_at)


def customer_for_token(ctx: ServiceContext, token: str) -> int:
    return token_info(ctx, token).customer_id

"""The issuance second factor: the customer's 4-digit 계좌 비밀번호 (account password).

A phone check alone proves little (a name, a birth date and a phone number are not secrets), so
issuing a certificate, and above all reissuing over a working one, also needs something only the
account holder knows. Stored as salt + scrypt(pepper | password); wrong tries are reserved
atomically like PIN tries and lock the factor at the policy's threshold until the customer center
unlocks it. A right password marks the verification token it was sent with.
"""
from __future__ import annotations

import hashlib
import hmac
import os

from sqlalchemy import update

from certbackend import audit
from certbackend.context import ServiceContext
from certbackend.errors import ApiError
from certbackend.models import Customer, VerificationToken
from certbackend.verification import TokenInfo

_SALT = 16
_N, _R, _P = 2 ** 14, 8, 1


def _derive(pepper: bytes, password: str, salt: bytes) -> bytes:
    return hashlib.scrypt(pepper + b"\x00account\x00" + password.encode("ascii"), salt=salt,
                          n=_N, r=_R, p=_P, maxmem=64 * 1024 * 1024, dklen=32)


def hash_account_password(pepper: bytes, password: str) -> bytes:
    salt = os.urandom(_SALT)
    return salt + _derive(pepper, password, salt)


def _matches(pepper: bytes, password: str, stored: bytes) -> bool:
    return hmac.compare_digest(stored[_SALT:], _derive(pepper, password, stored[:_SALT]))


def not_a_bank_customer() -> ApiError:
    return ApiError(403, "NOT_A_BANK_CUSTOMER",
                    "KB국민은행(모의) 인터넷뱅킹 고객만 금융인증서를 발급받을 수 있어요. "
                    "가까운 영업점에서 먼저 가입해 주세요.")


def locked_error(ctx: ServiceContext) -> ApiError:
    return ApiError(423, "SECOND_FACTOR_LOCKED",
                    "계좌 비밀번호를 여러 번 틀려서 잠겼어요. "
                    f"고객센터({ctx.policy.customer_center_phone})로 연락해 잠금을 풀어 주세요.")


def required_error() -> ApiError:
    return ApiError(403, "SECOND_FACTOR_REQUIRED",
                    "인증서를 발급하려면 계좌 비밀번호 확인이 필요해요. 계좌 비밀번호를 먼저 확인해 주세요.")


def verify(ctx: ServiceContext, info: TokenInfo, password: str) -> dict:
    threshold = ctx.policy.second_factor_lock_threshold
    actor = f"customer:{info.customer_id}"
    with ctx.db.transaction() as session:
        customer = session.get(Customer, info.customer_id)
        if customer.account_password_hash is None:
            raise not_a_bank_customer()
        stored = customer.account_password_hash
        # Reserve the try before comparing: parallel guesses cannot exceed the threshold.
        reserved = session.execute(update(Customer).where(
            Customer.id == info.customer_id, Customer.second_factor_locked.is_(False),
            Customer.second_factor_failures < threshold).values(
            second_factor_failures=Customer.second_factor_failures + 1)).rowcount == 1
    if not reserved:
        raise locked_error(ctx)
    now = ctx.clock.now()
    if not _matches(ctx.key_pepper, password, stored):
        with ctx.db.transaction() as session:
            failures = session.get(Customer, info.customer_id).second_factor_failures
            audit.record(session, now, actor, "second_factor_failed", remaining=max(threshold - failures, 0))
            if failures >= threshold:
                session.execute(update(Customer).where(Customer.id == info.customer_id)
                                .values(second_factor_locked=True))
                audit.record(session, now, actor, "second_factor_locked")
        if failures >= threshold:
            raise locked_error(ctx)
        remaining = threshold - failures
        raise ApiError(400, "SECOND_FACTOR_INVALID",
                       f"계좌 비밀번호가 맞지 않아요. {remaining}번 더 틀리면 잠겨요.", remaining_attempts=remaining)
    with ctx.db.transaction() as session:
        # Final update conditioned on "not locked": a lock reached meanwhile wins.
        cleared = session.execute(update(Customer).where(
            Customer.id == info.customer_id, Customer.second_factor_locked.is_(False)).values(
            second_factor_failures=0)).rowcount == 1
        if cleared:
            session.execute(update(VerificationToken).where(VerificationToken.token_hash == info.token_hash)
                            .values(second_factor_at=now))
            audit.record(session, now, actor, "second_factor_verified")
    if not cleared:
        raise locked_error(ctx)
    return {"verified": True}

"""Opening a customer's key with the PIN, counting failures and locking at the threshold.

Each try is *reserved* before the (slow, scrypt) check with a conditional UPDATE that succeeds only
while the certificate is active, unlocked and below the threshold: however many requests run in
parallel, in however many processes, at most ``pin_lock_threshold`` wrong PINs are ever checked.
A right PIN releases the reservation with an update that is itself conditioned on "not locked",
so a lock reached meanwhile wins over a success.
"""
from __future__ import annotations

from typing import Any, Tuple

from sqlalchemy import update

from certbackend import audit
from certbackend.context import ServiceContext
from certbackend.errors import ApiError
from certbackend.keywrap import PinSeal, WrongPin, open_private_key
from certbackend.models import Certificate


def locked_error() -> ApiError:
    return ApiError(409, "CERT_LOCKED",
                    "비밀번호를 여러 번 틀려서 인증서가 잠겼어요. 재발급을 받으면 다시 쓸 수 있어요.",
                    next_step="reissue")


def not_active_error() -> ApiError:
    return ApiError(409, "CERT_NOT_ACTIVE", "이미 갱신했거나 폐기된 인증서예요. 현재 인증서를 확인해 주세요.")


def usable_now(cert_id: int):
    """The SQL condition every final update of a PIN-protected operation carries."""
    return (Certificate.id == cert_id) & (Certificate.state == "active") & Certificate.locked.is_(False)


def _reserve(ctx: ServiceContext, cert_id: int) -> bool:
    with ctx.db.transaction() as session:
        return session.execute(update(Certificate).where(
            usable_now(cert_id), Certificate.failed_pin_attempts < ctx.policy.pin_lock_threshold)
            .values(failed_pin_attempts=Certificate.failed_pin_attempts + 1)).rowcount == 1


def _refusal(ctx: ServiceContext, cert_id: int) -> ApiError:
    with ctx.db.transaction() as session:
        cert = session.get(Certificate, cert_id)
        state = cert.state
    return not_active_error() if state != "active" else locked_error()


def open_key(ctx: ServiceContext, cert: Certificate, pin: str, actor: str):
    """The private key if the PIN is right; otherwise count the failure and raise."""
    return open_key_with_seal(ctx, cert, pin, actor)[0]


def open_key_with_seal(ctx: ServiceContext, cert: Certificate, pin: str, actor: str) -> Tuple[Any, PinSeal]:
    """`open_key`, plus the seal its PIN check derived (keywrap.PinSeal: a renewal wraps the new key
    with it instead of paying a second scrypt)."""
    if not _reserve(ctx, cert.id):
        raise _refusal(ctx, cert.id)
    try:
        key, seal = open_private_key(cert.wrapped_key, pin, ctx.key_pepper)
    except WrongPin:
        _record_failure(ctx, cert.id, cert.serial_hex, actor)
    with ctx.db.transaction() as session:
        released = session.execute(update(Certificate).where(usable_now(cert.id))
                                   .values(failed_pin_attempts=0)).rowcount == 1
    if not released:
        raise _refusal(ctx, cert.id)
    return key, seal


def _record_failure(ctx: ServiceContext, cert_id: int, serial_hex: str, actor: str) -> None:
    threshold = ctx.policy.pin_lock_threshold
    now = ctx.clock.now()
    with ctx.db.transaction() as session:
        failures = session.get(Certificate, cert_id).failed_pin_attempts  # this try is counted already
        remaining = max(threshold - failures, 0)
        audit.record(session, now, actor, "pin_failed", serial_hex, remaining=remaining)
        if remaining == 0:
            locked = session.execute(update(Certificate).where(
                Certificate.id == cert_id, Certificate.locked.is_(False)).values(locked=True)).rowcount
            if locked:
                audit.record(session, now, actor, "certificate_locked", serial_hex)
    if remaining == 0:
        raise locked_error()
    raise ApiError(403, "PIN_INVALID",
                   f"비밀번호가 맞지 않아요. {remaining}번 더 틀리면 인증서가 잠겨요.",
                   remaining_tries=remaining)

"""Opening a customer's key with the PIN, counting failures and locking at the threshold."""
from __future__ import annotations

from sqlalchemy import update

from certbackend import audit
from certbackend.context import ServiceContext
from certbackend.errors import ApiError
from certbackend.keywrap import WrongPin, unwrap_private_key
from certbackend.models import Certificate


def locked_error() -> ApiError:
    return ApiError(409, "CERT_LOCKED",
                    "비밀번호를 여러 번 틀려서 인증서가 잠겼어요. 재발급을 받으면 다시 쓸 수 있어요.",
                    next_step="reissue")


def open_key(ctx: ServiceContext, cert: Certificate, pin: str, actor: str):
    """The private key if the PIN is right; otherwise count the failure and raise."""
    if cert.locked:
        raise locked_error()
    try:
        key = unwrap_private_key(cert.wrapped_key, pin, ctx.key_pepper)
    except WrongPin:
        _record_failure(ctx, cert.id, cert.serial_hex, actor)
    if cert.failed_pin_attempts:
        with ctx.db.transaction() as session:
            session.execute(update(Certificate).where(Certificate.id == cert.id)
                            .values(failed_pin_attempts=0))
    return key


def _record_failure(ctx: ServiceContext, cert_id: int, serial_hex: str, actor: str) -> None:
    threshold = ctx.policy.pin_lock_threshold
    now = ctx.clock.now()
    with ctx.db.transaction() as session:
        # Atomic increment: parallel wrong PINs are all counted.
        session.execute(update(Certificate).where(Certificate.id == cert_id)
                        .values(failed_pin_attempts=Certificate.failed_pin_attempts + 1))
        failures = session.get(Certificate, cert_id).failed_pin_attempts
        remaining = max(threshold - failures, 0)
        audit.record(session, now, actor, "pin_failed", serial_hex, remaining=remaining)
        if remaining == 0:
            session.execute(update(Certificate).where(Certificate.id == cert_id).values(locked=True))
            audit.record(session, now, actor, "certificate_locked", serial_hex)
    if remaining == 0:
        raise locked_error()
    raise ApiError(403, "PIN_INVALID",
                   f"비밀번호가 맞지 않아요. {remaining}번 더 틀리면 인증서가 잠겨요.",
                   remaining_tries=remaining)

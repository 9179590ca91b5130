"""Certificate operations: status, issue (and reissue), renew, PIN change, revoke, sign."""
from __future__ import annotations

import base64
from typing import Any, Dict, Optional, Tuple

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from certbackend import audit, notices, second_factor, verification
from certbackend.clock import KST
from certbackend.context import ServiceContext
from certbackend.database import connection_of
from certbackend.errors import ApiError, not_found
from certbackend.keywrap import wrap_private_key
from certbackend.lifecycle import new_certificate
from certpolicy.calendar import add_years
from certbackend.models import Certificate, Customer, Device
from certbackend.pin_guard import locked_error, open_key, open_key_with_seal, usable_now
from certbackend.verification import TokenInfo
from certbackend.views import certificate_view, days_until, display_state, renewal_opens_at, stored_status
from certpolicy.validators import PIN_PROBLEM_MESSAGES, pin_shape_problem

Result = Tuple[int, Dict[str, Any]]


def _actor(customer_id: int) -> str:
    return f"customer:{customer_id}"


def load_certificate(session, customer_id: int, serial: str) -> Certificate:
    cert = session.execute(select(Certificate).where(
        Certificate.serial_hex == serial.lower(), Certificate.customer_id == customer_id)).scalar_one_or_none()
    if cert is None:  # another customer's serial is "not found" too: nothing leaks
        raise not_found("해당 인증서를 찾을 수 없어요.")
    return cert


def check_new_pin(ctx: ServiceContext, customer: Customer, pin: str) -> None:
    problem = pin_shape_problem(pin, ctx.policy.pin_length)
    if problem is None:
        # The birth date is known only as keyed hashes of YYMMDD and MMDD.
        contains_mmdd = any(ctx.hasher.matches(customer.birth_mmdd_hash, "birth", pin[i:i + 4])
                            for i in range(len(pin) - 3))
        if ctx.hasher.matches(customer.birth_yymmdd_hash, "birth", pin) or contains_mmdd:
            problem = "birth_date"
    if problem:
        raise ApiError(400, "PIN_POLICY", PIN_PROBLEM_MESSAGES[problem].format(length=ctx.policy.pin_length),
                       rule=problem)


def status(ctx: ServiceContext, customer_id: int) -> Dict[str, Any]:
    with ctx.db.transaction() as session:
        return stored_status(connection_of(session), customer_id, ctx.clock.now(), ctx.policy)


def status_for_token(ctx: ServiceContext, token: str) -> Dict[str, Any]:
    """``GET /v1/certificates``: the token check and the status read in one transaction, and so in one
    worker-thread hop of the request (two before session 14: ~0.5 ms of every status question)."""
    with ctx.db.transaction() as session:
        connection = connection_of(session)
        customer_id = verification.token_info_in(ctx, connection, token).customer_id
        return stored_status(connection, customer_id, ctx.clock.now(), ctx.policy)


def _conflict() -> ApiError:
    return ApiError(409, "CONFLICT", "다른 요청이 먼저 처리됐어요. 인증서 상태를 확인해 주세요.")


def _check_may_issue(ctx: ServiceContext, info: TokenInfo, pin: str) -> Customer:
    with ctx.db.transaction() as session:
        customer = session.get(Customer, info.customer_id)
        if customer.account_password_hash is None:
            raise second_factor.not_a_bank_customer()
        if customer.second_factor_locked:
            raise second_factor.locked_error(ctx)
        if info.second_factor_at is None:
            raise second_factor.required_error()
        check_new_pin(ctx, customer, pin)
    return customer


def issue(ctx: ServiceContext, info: TokenInfo, pin: str) -> Result:
    """Issue, or reissue over the customer's current certificate (which is revoked)."""
    customer = _check_may_issue(ctx, info, pin)
    actor = _actor(customer.id)
    now = ctx.clock.now()
    # Key generation and wrapping (scrypt) happen before the transaction, which stays short.
    cert = new_certificate(ctx, customer, pin, now, add_years(now, ctx.policy.validity_years))
    try:
        with ctx.db.transaction() as session:
            previous = session.execute(select(Certificate).where(
                Certificate.customer_id == customer.id, Certificate.state == "active")).scalars().all()
            for old in previous:
                # Reissue: a still-valid certificate is revoked; an expired one is simply replaced.
                # Both are listed on the CRL with reason "superseded".
                new_state = "revoked" if old.not_after > now else "superseded"
                flipped = session.execute(update(Certificate).where(
                    Certificate.id == old.id, Certificate.state == "active").values(
                    state=new_state, revoked_at=now, revocation_reason="superseded"))
                if flipped.rowcount != 1:  # a parallel issuance replaced it first
                    raise _conflict()
                audit.record(session, now, actor, f"certificate_{new_state}", old.serial_hex, reason="reissue")
            session.add(cert)
            session.flush()  # the partial unique index refuses a second active certificate here
            for old in previous:
                session.execute(update(Certificate).where(Certificate.id == old.id)
                                .values(replaced_by_serial=cert.serial_hex))
            audit.record(session, now, actor, "certificate_issued", cert.serial_hex, reissue=bool(previous))
            notices.send(ctx, session, info, "reissued" if previous else "issued", cert.serial_hex)
            session.refresh(cert)
            view = certificate_view(cert, now, ctx.policy)
            replaced = [c.serial_hex for c in previous]
    except IntegrityError:
        raise _conflict() from None
    return 201, {"certificate": view, "reissued": bool(replaced), "replaced_serials": replaced}


def _unusable(state: str, expired_message: str) -> Optional[ApiError]:
    """The error for a certificate that cannot be used in this state; None when it can."""
    if state in ("revoked", "superseded"):
        return ApiError(409, "CERT_NOT_ACTIVE", "이미 갱신했거나 폐기된 인증서예요. 현재 인증서를 확인해 주세요.",
                        state=state)
    if state == "locked":
        return locked_error()
    if state == "expired":
        return ApiError(409, "CERT_EXPIRED", expired_message, next_step="reissue")
    return None


def _renewal_blocker(ctx: ServiceContext, cert: Certificate, now) -> Optional[ApiError]:
    state = display_state(cert, now, ctx.policy)
    unusable = _unusable(state, "유효기간이 지나서 갱신할 수 없어요. 재발급을 받아 주세요.")
    if unusable or state != "active":
        return unusable  # "expiring" is the window: renewal may go ahead
    opens_at = renewal_opens_at(cert, ctx.policy)
    opens_on = opens_at.astimezone(KST).date().isoformat()
    return ApiError(409, "RENEWAL_NOT_OPEN",
                    f"갱신은 만료 {ctx.policy.renewal_window_days}일 전인 {opens_on}부터 할 수 있어요.",
                    renewal_opens_on=opens_on, days_until_open=days_until(opens_at, now))


def renew(ctx: ServiceContext, info: TokenInfo, serial: str, pin: str) -> Result:
    customer_id = info.customer_id
    actor = _actor(customer_id)
    with ctx.db.transaction() as session:
        old = load_certificate(session, customer_id, serial)
        blocker = _renewal_blocker(ctx, old, ctx.clock.now())
        if blocker:
            raise blocker
    _, seal = open_key_with_seal(ctx, old, pin, actor)
    now = ctx.clock.now()
    with ctx.db.transaction() as session:
        customer = session.get(Customer, customer_id)
        new = new_certificate(ctx, customer, pin, now, add_years(old.not_after, ctx.policy.validity_years), seal)
        # Only one renewal of a certificate can flip it from active: the others change no row.
        flipped = session.execute(update(Certificate).where(usable_now(old.id)).values(
            state="superseded", replaced_by_serial=new.serial_hex, revoked_at=now,
            revocation_reason="superseded"))
        if flipped.rowcount != 1:
            raise ApiError(409, "CERT_NOT_ACTIVE", "이미 갱신했거나 폐기된 인증서예요. 현재 인증서를 확인해 주세요.")
        session.add(new)
        session.flush()
        # Connected devices follow the customer's certificate to its renewed version.
        session.execute(update(Device).where(Device.certificate_id == old.id)
                        .values(certificate_id=new.id))
        audit.record(session, now, actor, "certificate_renewed", new.serial_hex, previous=old.serial_hex)
        notices.send(ctx, session, info, "renewed", new.serial_hex)
        session.refresh(new)
        view = certificate_view(new, now, ctx.policy)
    return 201, {"certificate": view, "previous_serial": old.serial_hex,
                 "previous_not_after": old.not_after.isoformat()}


def usable_certificate(ctx: ServiceContext, session, customer_id: int, serial: str) -> Certificate:
    """A certificate the customer can use right now (not revoked, replaced, locked or expired)."""
    cert = load_certificate(session, customer_id, serial)
    unusable = _unusable(display_state(cert, ctx.clock.now(), ctx.policy),
                         "유효기간이 지난 인증서예요. 재발급을 받아 주세요.")
    if unusable:
        raise unusable
    return cert


def change_pin(ctx: ServiceContext, customer_id: int, serial: str, current_pin: str, new_pin: str) -> Result:
    actor = _actor(customer_id)
    with ctx.db.transaction() as session:
        cert = usable_certificate(ctx, session, customer_id, serial)
        check_new_pin(ctx, cert.customer, new_pin)
    if new_pin == current_pin:
        raise ApiError(400, "PIN_POLICY", "지금 쓰는 비밀번호와 다른 번호로 정해 주세요.", rule="same_as_current")
    key = open_key(ctx, cert, current_pin, actor)
    with ctx.db.transaction() as session:
        changed = session.execute(update(Certificate).where(
            usable_now(cert.id), Certificate.wrapped_key == cert.wrapped_key)
            .values(wrapped_key=wrap_private_key(key, new_pin, ctx.key_pepper)))
        if changed.rowcount != 1:
            raise ApiError(409, "CONFLICT", "다른 요청이 먼저 처리됐어요. 다시 시도해 주세요.")
        audit.record(session, ctx.clock.now(), actor, "pin_changed", cert.serial_hex)
    return 200, {"serial": cert.serial_hex, "changed": True}


def revoke(ctx: ServiceContext, customer_id: int, serial: str, pin: str) -> Result:
    actor = _actor(customer_id)
    with ctx.db.transaction() as session:
        cert = load_certificate(session, customer_id, serial)
        if cert.state != "active":
            raise ApiError(409, "CERT_NOT_ACTIVE", "이미 갱신했거나 폐기된 인증서예요.", state=cert.state)
    open_key(ctx, cert, pin, actor)
    now = ctx.clock.now()
    with ctx.db.transaction() as session:
        done = session.execute(update(Certificate).where(usable_now(cert.id)).values(
            state="revoked", revoked_at=now, revocation_reason="cessationOfOperation"))
        if done.rowcount != 1:
            raise ApiError(409, "CERT_NOT_ACTIVE", "이미 갱신했거나 폐기된 인증서예요.")
        session.execute(Device.__table__.delete().where(Device.certificate_id == cert.id))
        audit.record(session, now, actor, "certificate_revoked", cert.serial_hex)
    return 200, {"serial": cert.serial_hex, "state": "revoked", "revoked_at": now.isoformat()}


def sign(ctx: ServiceContext, customer_id: int, serial: str, pin: str, challenge: str) -> Result:
    """Sign a challenge with the customer's key: the proof that the certificate works."""
    with ctx.db.transaction() as session:
        cert = usable_certificate(ctx, session, customer_id, serial)
    key = open_key(ctx, cert, pin, _actor(customer_id))
    signature = key.sign(challenge.encode("utf-8"), ec.ECDSA(hashes.SHA256()))
    return 200, {"serial": cert.serial_hex, "algorithm": "ecdsa-with-SHA256",
                 "signature": base64.b64encode(signature).decode("ascii"),
                 "certificate_pem": cert.certificate_pem}


def reverify_pin(ctx: ServiceContext, customer_id: int, pin: str, stored: Result) -> None:
    """Before an idempotent retry gets the stored result, its PIN must open that certificate."""
    serial = (stored[1].get("certificate") or {}).get("serial")
    with ctx.db.transaction() as session:
        cert = load_certificate(session, customer_id, serial or "")
    open_key(ctx, cert, pin, _actor(customer_id))


"""Devices connected to a customer's cloud certificate ("복사" in customers' words)."""
from __future__ import annotations

from typing import Any, Dict, Tuple

from sqlalchemy import func, select

from certbackend import audit
from certbackend.certificates import load_certificate, usable_certificate
from certbackend.context import ServiceContext
from certbackend.errors import ApiError, not_found
from certbackend.models import Certificate, Device
from certbackend.pin_guard import open_key, usable_now
from certbackend.views import device_view

Result = Tuple[int, Dict[str, Any]]


def list_devices(ctx: ServiceContext, customer_id: int, serial: str) -> Dict[str, Any]:
    with ctx.db.transaction() as session:
        cert = load_certificate(session, customer_id, serial)
        devices = [device_view(d) for d in cert.devices]
    return {"serial": cert.serial_hex, "devices": devices, "max_devices": ctx.policy.max_devices}


def connect(ctx: ServiceContext, customer_id: int, serial: str, pin: str, name: str) -> Result:
    actor = f"customer:{customer_id}"
    with ctx.db.transaction() as session:
        cert = usable_certificate(ctx, session, customer_id, serial)
    open_key(ctx, cert, pin, actor)
    now = ctx.clock.now()
    with ctx.db.transaction() as session:
        # Like every final step after a PIN check: only while the certificate is still usable.
        if session.execute(select(Certificate.id).where(usable_now(cert.id))).first() is None:
            raise ApiError(409, "CERT_NOT_ACTIVE", "이미 갱신했거나 폐기되었거나 잠긴 인증서예요. 현재 인증서를 확인해 주세요.")
        names = [n for (n,) in session.execute(select(Device.name).where(Device.certificate_id == cert.id))]
        if name.casefold() in (n.casefold() for n in names):
            raise ApiError(409, "DEVICE_EXISTS", f"'{name}'은(는) 이미 연결된 기기예요. 다른 이름을 써 주세요.")
        if len(names) >= ctx.policy.max_devices:
            raise ApiError(409, "DEVICE_LIMIT",
                           f"기기는 최대 {ctx.policy.max_devices}대까지 연결할 수 있어요. "
                           "쓰지 않는 기기의 연결을 먼저 해제해 주세요.", max_devices=ctx.policy.max_devices)
        device = Device(certificate_id=cert.id, name=name, connected_at=now)
        session.add(device)
        session.flush()
        count = session.execute(select(func.count()).select_from(Device)
                                .where(Device.certificate_id == cert.id)).scalar_one()
        if count > ctx.policy.max_devices:  # a parallel connect won the last slot
            raise ApiError(409, "DEVICE_LIMIT", f"기기는 최대 {ctx.policy.max_devices}대까지 연결할 수 있어요.",
                           max_devices=ctx.policy.max_devices)
        audit.record(session, now, actor, "device_connected", cert.serial_hex, device_id=device.id)
        view = device_view(device)
    return 201, {"serial": cert.serial_hex, "device": view}


def disconnect(ctx: ServiceContext, customer_id: int, serial: str, device_id: int) -> Result:
    with ctx.db.transaction() as session:
        cert = load_certificate(session, customer_id, serial)
        device = session.get(Device, device_id)
        if device is None or device.certificate_id != cert.id:
            raise not_found("연결된 기기를 찾을 수 없어요.")
        name = device.name
        session.delete(device)
        audit.record(session, ctx.clock.now(), f"customer:{customer_id}", "device_disconnected",
                     cert.serial_hex, device_id=device_id)
    return 200, {"serial": cert.serial_hex, "disconnected": {"id": device_id, "name": name}}

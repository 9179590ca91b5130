"""How a certificate is shown to callers, including the states derived from the clock."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Dict, Iterable, List, Optional

from sqlalchemy import bindparam, select
from sqlalchemy.engine import Connection

from certbackend.clock import KST
from certbackend.models import Certificate, Customer, Device
from certpolicy import Policy

# The status is read on every token check's follow-up and with every confirmed verification: two
# statements built once and run on the transaction's connection, rows instead of ORM objects. The ORM
# path (the customer, then one lazy load for the certificates and one per certificate for its devices)
# was ~1 ms of a 3-4 ms confirmation in process (docs/performance.md, session 14).
_CERTIFICATES, _DEVICES = Certificate.__table__, Device.__table__
_CUSTOMER_NAME = select(Customer.__table__.c.display_name).where(Customer.__table__.c.id == bindparam("s_customer"))
_CERTIFICATES_OF = select(_CERTIFICATES).where(
    _CERTIFICATES.c.customer_id == bindparam("s_customer")).order_by(_CERTIFICATES.c.id.desc())
_DEVICES_OF = select(_DEVICES).where(
    _DEVICES.c.certificate_id.in_(bindparam("s_certificates", expanding=True))).order_by(_DEVICES.c.id)


def display_state(cert: Certificate, now: datetime, policy: Policy) -> str:
    if cert.state != "active":
        return cert.state  # revoked | superseded
    if cert.locked:
        return "locked"
    if cert.not_after <= now:
        return "expired"
    if now >= renewal_opens_at(cert, policy):
        return "expiring"
    return "active"


def renewal_opens_at(cert: Certificate, policy: Policy) -> datetime:
    return cert.not_after - timedelta(days=policy.renewal_window_days)


def days_until(moment: datetime, now: datetime) -> int:
    """Calendar days in Korea between today and that date (0 on the day itself)."""
    return (moment.astimezone(KST).date() - now.astimezone(KST).date()).days


def certificate_view(cert: Certificate, now: datetime, policy: Policy, subject_name: Optional[str] = None,
                     devices: Optional[Iterable[Any]] = None) -> Dict[str, Any]:
    """One certificate as callers see it. ``cert`` is an ORM object or a row of the certificates table;
    a row comes with its subject's name and its devices (an ORM object finds both itself)."""
    opens_at = renewal_opens_at(cert, policy)
    if devices is None:
        devices = cert.devices
    return {
        "serial": cert.serial_hex,
        "state": display_state(cert, now, policy),
        "subject_name": subject_name if subject_name is not None else cert.customer.display_name,
        "not_before": cert.not_before.isoformat(),
        "not_after": cert.not_after.isoformat(),
        "expires_on": cert.not_after.astimezone(KST).date().isoformat(),
        "days_left": max(days_until(cert.not_after, now), 0),
        "renewal_opens_on": opens_at.astimezone(KST).date().isoformat(),
        "pin_tries_left": max(policy.pin_lock_threshold - cert.failed_pin_attempts, 0),
        "replaced_by": cert.replaced_by_serial,
        "devices": [device_view(d) for d in devices] if cert.state == "active" else [],
        "certificate_pem": cert.certificate_pem,
    }


def device_view(device) -> Dict[str, Any]:
    return {"id": device.id, "name": device.name, "connected_at": device.connected_at.isoformat()}


def customer_status(connection: Connection, customer_id: int, name: str, now: datetime,
                    policy: Policy) -> Dict[str, Any]:
    """The body of ``GET /v1/certificates`` for one customer: every certificate, newest first, and the
    current one (the newest neither revoked nor superseded). A confirmed verification returns it too."""
    newest_first = connection.execute(_CERTIFICATES_OF, {"s_customer": customer_id}).all()
    devices: Dict[int, List[Any]] = {cert.id: [] for cert in newest_first}
    active = [cert.id for cert in newest_first if cert.state == "active"]
    if active:
        for device in connection.execute(_DEVICES_OF, {"s_certificates": active}):
            devices[device.certificate_id].append(device)
    views = [certificate_view(cert, now, policy, name, devices[cert.id]) for cert in newest_first]
    current = next((v for v in views if v["state"] not in ("revoked", "superseded")), None)
    return {"customer": {"name": name}, "current": current, "certificates": views,
            "max_devices": policy.max_devices}


def stored_status(connection: Connection, customer_id: int, now: datetime, policy: Policy) -> Dict[str, Any]:
    """``customer_status`` of a customer known by id only."""
    name = connection.execute(_CUSTOMER_NAME, {"s_customer": customer_id}).scalar_one()
    return customer_status(connection, customer_id, name, now, policy)


def has_active_certificate(status: Dict[str, Any]) -> bool:
    """Whether the customer holds a certificate that is neither revoked nor superseded (it may be
    expired or locked: the stored state, not the displayed one)."""
    return status["current"] is not None

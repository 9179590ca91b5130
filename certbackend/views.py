"""How a certificate is shown to callers, including the states derived from the clock."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Dict

from certbackend.clock import KST
from certbackend.models import Certificate, Customer
from certpolicy import Policy


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


def certificate_view(cert: Certificate, now: datetime, policy: Policy) -> Dict[str, Any]:
    opens_at = renewal_opens_at(cert, policy)
    return {
        "serial": cert.serial_hex,
        "state": display_state(cert, now, policy),
        "subject_name": cert.customer.display_name,
        "not_before": cert.not_before.isoformat(),
        "not_after": cert.not_after.isoformat(),
        "expires_on": cert.not_after.astimezone(KST).date().isoformat(),
        "days_left": max(days_until(cert.not_after, now), 0),
        "renewal_opens_on": opens_at.astimezone(KST).date().isoformat(),
        "pin_tries_left": max(policy.pin_lock_threshold - cert.failed_pin_attempts, 0),
        "replaced_by": cert.replaced_by_serial,
        "devices": [device_view(d) for d in cert.devices] if cert.state == "active" else [],
        "certificate_pem": cert.certificate_pem,
    }


def device_view(device) -> Dict[str, Any]:
    return {"id": device.id, "name": device.name, "connected_at": device.connected_at.isoformat()}


def customer_status(customer: Customer, now: datetime, policy: Policy) -> Dict[str, Any]:
    """The body of ``GET /v1/certificates`` for one customer: every certificate, newest first, and the
    current one (the newest neither revoked nor superseded). A confirmed verification returns it too."""
    newest_first = sorted(customer.certificates, key=lambda c: c.id, reverse=True)
    views = [certificate_view(c, now, policy) for c in newest_first]
    current = next((v for v in views if v["state"] not in ("revoked", "superseded")), None)
    return {"customer": {"name": customer.display_name}, "current": current, "certificates": views,
            "max_devices": policy.max_devices}

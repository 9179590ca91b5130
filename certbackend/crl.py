"""The published CRL: every revoked or superseded certificate with its reason, and no writes.

Downloading the CRL is public and unauthenticated, so it must not touch the database for writing.
The CRL number is derived from what is read: certificates only ever leave "active" (revoked and
superseded are final), so their count only grows, and the hour the CRL is issued for grows with
time. ``count * 10^7 + hour`` therefore increases whenever the content or the issue hour changes,
and every process computes the same number for the same content. The signed CRL is cached per
(count, hour).
"""
from __future__ import annotations

import threading
from datetime import datetime, timezone
from typing import Optional, Tuple

from cryptography import x509
from sqlalchemy import func, select

from certbackend import ca as ca_module
from certbackend.models import Certificate

ENDED_STATES = ("revoked", "superseded")
_HOUR = 3600


class CrlPublisher:
    def __init__(self, db, clock, issuing_ca: ca_module.IssuingCa) -> None:
        self._db, self._clock, self._ca = db, clock, issuing_ca
        self._lock = threading.Lock()
        self._cached: Optional[Tuple[Tuple[int, int], x509.CertificateRevocationList]] = None

    def current(self) -> x509.CertificateRevocationList:
        hour = int(self._clock.now().timestamp()) // _HOUR
        with self._db.transaction() as session:
            ended = session.execute(select(func.count()).select_from(Certificate)
                                    .where(Certificate.state.in_(ENDED_STATES))).scalar_one()
            with self._lock:
                if self._cached and self._cached[0] == (ended, hour):
                    return self._cached[1]
            rows = session.execute(select(Certificate.serial_hex, Certificate.state, Certificate.revoked_at,
                                          Certificate.revocation_reason, Certificate.not_before)
                                   .where(Certificate.state.in_(ENDED_STATES))).all()
        entries = [(int(serial, 16), revoked_at or not_before,
                    reason or ("superseded" if state == "superseded" else None))
                   for serial, state, revoked_at, reason, not_before in rows]
        this_update = datetime.fromtimestamp(hour * _HOUR, timezone.utc)
        crl = ca_module.build_crl(self._ca, entries, ended * 10 ** 7 + hour, this_update)
        with self._lock:
            self._cached = ((ended, hour), crl)
        return crl

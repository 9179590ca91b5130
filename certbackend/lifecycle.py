"""Creating a customer certificate: key pair, X.509 certificate, key wrapped under the PIN."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from certbackend import ca as ca_module
from certbackend.context import ServiceContext
from certbackend.keywrap import PinSeal, wrap_private_key
from certbackend.models import Certificate, Customer


def new_certificate(ctx: ServiceContext, customer: Customer, pin: str,
                    not_before: datetime, not_after: datetime, seal: Optional[PinSeal] = None) -> Certificate:
    """`seal`: the PIN-derived key a renewal's PIN check already holds; without it, a new one (scrypt)."""
    key = ec.generate_private_key(ec.SECP256R1())
    x509_cert = ca_module.issue_customer_certificate(
        ctx.ca, customer.display_name, f"KBMOCK-{customer.id:08d}", key.public_key(),
        not_before, not_after, ctx.crl_url)
    return Certificate(
        customer_id=customer.id,
        serial_hex=format(x509_cert.serial_number, "x"),
        state="active",
        not_before=not_before,
        not_after=not_after,
        certificate_pem=x509_cert.public_bytes(serialization.Encoding.PEM).decode("ascii"),
        wrapped_key=seal.seal(key) if seal else wrap_private_key(key, pin, ctx.key_pepper),
        failed_pin_attempts=0,
        locked=False,
    )

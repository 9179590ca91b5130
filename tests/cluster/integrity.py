"""Checks shared by the fault tests: every acknowledged certificate is present, valid and whole; the
audit log matches the certificates."""
from __future__ import annotations

from typing import List

import requests
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives import hashes

from tests.cluster.customers import DONE, Customer, Person
from tests.cluster.load import audit_actions, certificates_per_customer, stored_matches_transcript


def issuing_ca(stack) -> x509.Certificate:
    pem = requests.get(f"{stack.backend.url}/v1/ca/certificates", timeout=10).json()["issuing_pem"]
    return x509.load_pem_x509_certificate(pem.encode("ascii"))


def check_after_faults(stack, persons: List[Person], customers: List[Customer]) -> None:
    mismatches = [m for m in map(stored_matches_transcript, customers) if m]
    assert not mismatches, mismatches[:5]
    acknowledged = {c.person.name for c in customers if any(DONE in r for t in c.turns for r in t.replies)}
    assert acknowledged == {p.name for p in persons}, "some renewals were never confirmed to the customer"
    ca = issuing_ca(stack)
    certificates = certificates_per_customer(stack, persons)
    renewed_in_audit = audit_actions(stack, "certificate_renewed")
    for person in persons:
        rows = certificates[person.name]
        assert len(rows) == 2, f"{person.name}: {len(rows)} certificates (expected the old and exactly one new)"
        (old, old_state, replaced_by, _), (new, new_state, _, pem) = rows
        assert (old_state, new_state, replaced_by) == ("superseded", "active", new), (person.name, rows)
        certificate = x509.load_pem_x509_certificate(pem.encode("ascii"))   # whole, parseable
        ca.public_key().verify(certificate.signature, certificate.tbs_certificate_bytes,
                               ec.ECDSA(certificate.signature_hash_algorithm))
        assert format(certificate.serial_number, "x") == new.lower().lstrip("0") or \
            format(certificate.serial_number, "x").zfill(len(new)) == new.lower()
        assert renewed_in_audit.count(new) == 1, f"{person.name}: audit has {renewed_in_audit.count(new)} renewals"

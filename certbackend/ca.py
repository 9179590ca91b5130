"""The mock CA: a root and an issuing CA, created on first start and kept in the database.

Customer keys are EC P-256: the algorithm Korean cloud certificates and WebAuthn-era clients
verify everywhere, 64-byte signatures, and key generation in well under a millisecond, which
keeps issuance fast under load (RSA-2048 generation costs ~50-100 ms each).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable, Tuple

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from certbackend.models import CaMaterial

# Our own arc under 2.25 (UUID-derived OIDs, ITU-T X.667): no registration needed, no clash.
POLICY_ARC = "2.25.163349451026700973520116168871979545951"
CERTIFICATE_POLICY_OID = x509.ObjectIdentifier(POLICY_ARC + ".1.1")
ORGANIZATION = "KB Kookmin Bank (MOCK)"
_CA_VALIDITY = {"root": timedelta(days=365 * 20), "issuing": timedelta(days=365 * 10)}


@dataclass
class IssuingCa:
    certificate: x509.Certificate
    key: ec.EllipticCurvePrivateKey
    root: x509.Certificate


def _name(common_name: str) -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "KR"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORGANIZATION),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ])


def _ca_certificate(subject: x509.Name, key, issuer: x509.Name, issuer_key, now: datetime,
                    lifetime: timedelta, path_length: int) -> x509.Certificate:
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject).issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + lifetime)
        .add_extension(x509.BasicConstraints(ca=True, path_length=path_length), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=False, content_commitment=False, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
            encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
                       critical=False)
    )
    return builder.sign(issuer_key, hashes.SHA256())


def _store(name: str, cert: x509.Certificate, key, passphrase: bytes) -> CaMaterial:
    return CaMaterial(
        name=name,
        certificate_pem=cert.public_bytes(serialization.Encoding.PEM).decode("ascii"),
        encrypted_key_pem=key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(passphrase)).decode("ascii"),
        next_crl_number=1,
    )


def create_ca(now: datetime, passphrase: bytes) -> Tuple[CaMaterial, CaMaterial]:
    root_key = ec.generate_private_key(ec.SECP384R1())
    root_name = _name("KB MOCK Root CA")
    root = _ca_certificate(root_name, root_key, root_name, root_key, now, _CA_VALIDITY["root"], 1)
    issuing_key = ec.generate_private_key(ec.SECP256R1())
    issuing = _ca_certificate(_name("KB MOCK 금융인증서 Issuing CA"), issuing_key, root_name,
                              root_key, now, _CA_VALIDITY["issuing"], 0)
    return _store("root", root, root_key, passphrase), _store("issuing", issuing, issuing_key, passphrase)


def load_issuing_ca(root: CaMaterial, issuing: CaMaterial, passphrase: bytes) -> IssuingCa:
    return IssuingCa(
        certificate=x509.load_pem_x509_certificate(issuing.certificate_pem.encode("ascii")),
        key=serialization.load_pem_private_key(issuing.encrypted_key_pem.encode("ascii"), passphrase),
        root=x509.load_pem_x509_certificate(root.certificate_pem.encode("ascii")),
    )


def issue_customer_certificate(
    ca: IssuingCa, customer_name: str, customer_ref: str, public_key,
    not_before: datetime, not_after: datetime, crl_url: str,
) -> x509.Certificate:
    """An X.509 v3 end-entity certificate; the subject names the customer, never an RRN."""
    subject = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "KR"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORGANIZATION),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "금융인증서"),
        x509.NameAttribute(NameOID.COMMON_NAME, customer_name),
        # An opaque customer reference, so two customers of the same name stay distinct.
        x509.NameAttribute(NameOID.SERIAL_NUMBER, customer_ref),
    ])
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject).issuer_name(ca.certificate.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before).not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=True, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
            encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        .add_extension(x509.CertificatePolicies([x509.PolicyInformation(CERTIFICATE_POLICY_OID, None)]),
                       critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()),
                       critical=False)
        # Where relying parties fetch the CRL that would list this certificate once revoked.
        .add_extension(x509.CRLDistributionPoints([x509.DistributionPoint(
            full_name=[x509.UniformResourceIdentifier(crl_url)], relative_name=None, reasons=None,
            crl_issuer=None)]), critical=False)
    )
    return builder.sign(ca.key, hashes.SHA256())


# Database reason -> RFC 5280 CRLReason.
REASONS = {
    "superseded": x509.ReasonFlags.superseded,
    "cessationOfOperation": x509.ReasonFlags.cessation_of_operation,
    "keyCompromise": x509.ReasonFlags.key_compromise,
    "affiliationChanged": x509.ReasonFlags.affiliation_changed,
}


def build_crl(ca: IssuingCa, revoked: Iterable[Tuple[int, datetime, str]], crl_number: int,
              this_update: datetime, next_update: timedelta = timedelta(days=1)) -> x509.CertificateRevocationList:
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca.certificate.subject)
        .last_update(this_update).next_update(this_update + next_update)
        .add_extension(x509.CRLNumber(crl_number), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()),
                       critical=False)
    )
    for serial, revoked_at, reason in revoked:
        entry = x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(revoked_at)
        flag = REASONS.get(reason or "")
        if flag is not None:
            entry = entry.add_extension(x509.CRLReason(flag), critical=False)
        builder = builder.add_revoked_certificate(entry.build())
    return builder.sign(ca.key, hashes.SHA256())

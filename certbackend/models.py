"""Database schema (SQLAlchemy 1.4 ORM). No column holds a PIN, code, identity value or clear key."""
from __future__ import annotations

from datetime import timezone

from sqlalchemy import (
    Boolean, Column, DateTime, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint,
    false, text,
)
from sqlalchemy.orm import declarative_base, relationship
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator):
    """Aware UTC datetimes in Python, naive UTC in the database (SQLite keeps no zone)."""
    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        return None if value is None else value.replace(tzinfo=timezone.utc)


Base = declarative_base()


class CaMaterial(Base):
    """The mock CA: certificates in PEM, private keys PKCS#8-encrypted under a server secret."""
    __tablename__ = "ca_material"
    name = Column(String(16), primary_key=True)  # "root" | "issuing"
    certificate_pem = Column(Text, nullable=False)
    encrypted_key_pem = Column(Text, nullable=False)
    next_crl_number = Column(Integer, nullable=False, default=1)


class Customer(Base):
    __tablename__ = "customers"
    id = Column(Integer, primary_key=True)
    identity_hash = Column(String(64), unique=True, nullable=False)  # HMAC(name|birth|mobile)
    display_name = Column(String(64), nullable=False)  # goes into the certificate subject anyway
    # Keyed hashes of the birth-date forms a PIN may not equal (YYMMDD) or contain (MMDD).
    birth_yymmdd_hash = Column(String(64), nullable=False)
    birth_mmdd_hash = Column(String(64), nullable=False)
    created_at = Column(UtcDateTime(), nullable=False)
    # 계좌 비밀번호 (the issuance second factor): salt + scrypt(pepper | password). None: the person
    # passed a phone check but has no account with the bank, so they cannot be issued a certificate.
    account_password_hash = Column(LargeBinary)
    second_factor_failures = Column(Integer, nullable=False, default=0, server_default=text("0"))
    second_factor_locked = Column(Boolean, nullable=False, default=False, server_default=false())
    certificates = relationship("Certificate", back_populates="customer", order_by="Certificate.id")


class Certificate(Base):
    __tablename__ = "certificates"
    # At most one active certificate per customer, enforced by the database itself (a partial
    # unique index, on SQLite and PostgreSQL alike): parallel issuances cannot both win.
    __table_args__ = (Index("one_active_certificate_per_customer", "customer_id", unique=True,
                            sqlite_where=text("state = 'active'"),
                            postgresql_where=text("state = 'active'")),)
    id = Column(Integer, primary_key=True)
    customer_id = Column(Integer, ForeignKey("customers.id"), nullable=False, index=True)
    serial_hex = Column(String(64), unique=True, nullable=False)
    # active | superseded | revoked ; "expiring", "expired" and "locked" are derived for display.
    state = Column(String(16), nullable=False)
    not_before = Column(UtcDateTime(), nullable=False)
    not_after = Column(UtcDateTime(), nullable=False)
    certificate_pem = Column(Text, nullable=False)
    # scrypt(server pepper + PIN) -> AES-256-GCM over the PKCS#8 DER key; see keywrap.py.
    wrapped_key = Column(LargeBinary, nullable=False)
    failed_pin_attempts = Column(Integer, nullable=False, default=0)
    locked = Column(Boolean, nullable=False, default=False)
    revoked_at = Column(UtcDateTime())
    revocation_reason = Column(String(32))
    replaced_by_serial = Column(String(64))
    customer = relationship("Customer", back_populates="certificates")
    devices = relationship("Device", back_populates="certificate", order_by="Device.id")


class Device(Base):
    __tablename__ = "devices"
    id = Column(Integer, primary_key=True)
    certificate_id = Column(Integer, ForeignKey("certificates.id"), nullable=False, index=True)
    name = Column(String(40), nullable=False)
    connected_at = Column(UtcDateTime(), nullable=False)
    certificate = relationship("Certificate", back_populates="devices")


class Verification(Base):
    """One identity check in progress. Only hashes of the code and of the identity are kept."""
    __tablename__ = "verifications"
    id = Column(String(32), primary_key=True)
    method = Column(String(8), nullable=False)
    identity_hash = Column(String(64), nullable=False)
    display_name = Column(String(64), nullable=False)
    birth_yymmdd_hash = Column(String(64), nullable=False)
    birth_mmdd_hash = Column(String(64), nullable=False)
    code_hash = Column(String(64), nullable=False)
    attempts = Column(Integer, nullable=False, default=0)
    expires_at = Column(UtcDateTime(), nullable=False)
    completed = Column(Boolean, nullable=False, default=False)
    masked_phone = Column(String(16))  # "010-****-2222": where notices for this customer go
    channel_ref = Column(String(32))  # the conversation that started it (demo phone tagging)
    # ARS: the call's id (the phone side's handle) and whether the phone keyed the right digits.
    call_id = Column(String(32), unique=True)
    phone_confirmed = Column(Boolean, nullable=False, default=False, server_default=false())


class VerificationToken(Base):
    __tablename__ = "verification_tokens"
    token_hash = Column(String(64), primary_key=True)  # SHA-256 of the bearer value
    customer_id = Column(Integer, ForeignKey("customers.id"), nullable=False)
    expires_at = Column(UtcDateTime(), nullable=False)
    masked_phone = Column(String(16))
    channel_ref = Column(String(32))
    second_factor_at = Column(UtcDateTime())  # set when the account password was right


class IdempotencyRecord(Base):
    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("scope", "key"),)
    id = Column(Integer, primary_key=True)
    scope = Column(String(64), nullable=False)  # operation + customer
    key = Column(String(128), nullable=False)
    request_hash = Column(String(64), nullable=False)
    status = Column(Integer)  # None while the first request is still running
    response_json = Column(Text)
    created_at = Column(UtcDateTime(), nullable=False)


class AuditEvent(Base):
    """Append-only: the service never updates or deletes rows (SQLite triggers enforce it)."""
    __tablename__ = "audit_events"
    id = Column(Integer, primary_key=True)
    at = Column(UtcDateTime(), nullable=False)
    actor = Column(String(32), nullable=False)  # "customer:<id>" or "system"
    action = Column(String(32), nullable=False)
    serial_hex = Column(String(64))
    detail = Column(Text)  # JSON without secrets


class DemoPhoneMessage(Base):
    """Demo mode only: what the pretend phone received (texts, notices, ARS calls).

    The text is sealed (AES-GCM under a key from the key directory): it may hold a live code, and a
    database dump must not reveal one.
    """
    __tablename__ = "demo_phone_messages"
    id = Column(Integer, primary_key=True)
    channel_ref = Column(String(32), index=True)
    masked_phone = Column(String(16), nullable=False)
    kind = Column(String(8), nullable=False)  # sms | notice | ars_call
    sealed_text = Column(LargeBinary, nullable=False)
    call_id = Column(String(32))
    sent_at = Column(UtcDateTime(), nullable=False, index=True)


class RateCounter(Base):
    """Fixed-window counters shared by every backend process (see quotas.py)."""
    __tablename__ = "rate_counters"
    bucket = Column(String(96), primary_key=True)  # "<rule>:<keyed hash of the subject>"
    window = Column(Integer, primary_key=True)  # window number since the epoch
    count = Column(Integer, nullable=False)
    expires_at = Column(UtcDateTime(), nullable=False, index=True)


"""Everything a request handler needs, built once at start-up."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from sqlalchemy.exc import IntegrityError

from certbackend import ca as ca_module
from certbackend.clock import Clock
from certbackend.crl import CrlPublisher
from certbackend.database import Database
from certbackend.demo_phone import DemoPhone
from certbackend.hashing import KeyedHasher
from certbackend.models import CaMaterial
from certbackend.quotas import Quotas
from certbackend.settings import Settings, StartupError
from certpolicy import Policy, load_policy


@dataclass
class ServiceContext:
    settings: Settings
    policy: Policy
    clock: Clock
    db: Database
    hasher: KeyedHasher
    key_pepper: bytes
    ca: ca_module.IssuingCa
    quotas: Quotas
    crl: CrlPublisher
    phone: Optional[DemoPhone]  # demo mode only

    @property
    def crl_url(self) -> str:
        return f"{self.settings.public_url}/v1/ca/crl"


def _read_ca(db: Database):
    with db.transaction() as session:
        return session.get(CaMaterial, "root"), session.get(CaMaterial, "issuing")


def _load_or_create_ca(db: Database, clock: Clock, passphrase: bytes) -> ca_module.IssuingCa:
    """Create the CA on the very first start; when several processes start at once, one wins.

    Both rows are inserted in one transaction (never merged over another's): a parallel starter
    gets a unique-key error, rolls back and uses the CA the winner stored.
    """
    root, issuing = _read_ca(db)
    if root is None or issuing is None:
        new_root, new_issuing = ca_module.create_ca(clock.now(), passphrase)
        try:
            with db.transaction() as session:
                session.add_all([new_root, new_issuing])
        except IntegrityError:
            pass  # another process stored its CA first
        root, issuing = _read_ca(db)
    try:
        return ca_module.load_issuing_ca(root, issuing, passphrase)
    except ValueError:
        raise StartupError(
            "The CA key in the database does not open with ca-key.secret of this key directory. "
            "Every backend process sharing a database must use the same BACKEND_KEY_DIR.") from None


def build_context(settings: Settings, clock: Clock = None) -> ServiceContext:
    clock = clock or Clock(settings.clock_offset_days)
    db = Database(settings.database_url)
    policy = load_policy()
    hasher = KeyedHasher(settings.secret("identity-pepper"))
    issuing_ca = _load_or_create_ca(db, clock, settings.secret("ca-key").encode("utf-8"))
    phone = None
    if settings.demo_mode:
        phone = DemoPhone(db, clock, settings.secret("demo-phone"), policy.sms_max_attempts,
                          policy.ars_digits_length)
    return ServiceContext(
        settings=settings,
        policy=policy,
        clock=clock,
        db=db,
        hasher=hasher,
        key_pepper=settings.secret("key-pepper").encode("utf-8"),
        ca=issuing_ca,
        quotas=Quotas(db, clock.now, lambda subject: hasher.digest("quota", subject)),
        crl=CrlPublisher(db, clock, issuing_ca),
        phone=phone,
    )

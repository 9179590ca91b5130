"""Everything a request handler needs, built once at start-up."""
from __future__ import annotations

from dataclasses import dataclass

from certbackend import ca as ca_module
from certbackend.clock import Clock
from certbackend.database import Database
from certbackend.hashing import KeyedHasher
from certbackend.models import CaMaterial
from certbackend.settings import Settings
from certbackend.sms_inbox import SmsInbox
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
    inbox: SmsInbox


def _load_or_create_ca(db: Database, clock: Clock, passphrase: bytes) -> ca_module.IssuingCa:
    with db.transaction() as session:
        root, issuing = session.get(CaMaterial, "root"), session.get(CaMaterial, "issuing")
        if root is None or issuing is None:
            root, issuing = ca_module.create_ca(clock.now(), passphrase)
            session.merge(root)
            session.merge(issuing)
    return ca_module.load_issuing_ca(root, issuing, passphrase)


def build_context(settings: Settings, clock: Clock = None) -> ServiceContext:
    clock = clock or Clock(settings.clock_offset_days)
    db = Database(settings.database_url)
    ca_passphrase = settings.secret("ca-key").encode("utf-8")
    return ServiceContext(
        settings=settings,
        policy=load_policy(),
        clock=clock,
        db=db,
        hasher=KeyedHasher(settings.secret("identity-pepper")),
        key_pepper=settings.secret("key-pepper").encode("utf-8"),
        ca=_load_or_create_ca(db, clock, ca_passphrase),
        inbox=SmsInbox(),
    )

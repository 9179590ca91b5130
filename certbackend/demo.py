"""Demo customers, one per branch of the renewal story, seeded when demo mode starts.

Everyone's demo PIN is the same and printed in the README: this is a pretend bank. Each has their
own 계좌 비밀번호 (the second factor for issuance), also in the README. Seeding is safe when several
processes start at once: a customer another process created first is skipped.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any, Dict, Iterable, List, Optional

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from certbackend import audit
from certbackend.context import ServiceContext
from certbackend.lifecycle import new_certificate
from certpolicy.calendar import add_years
from certbackend.errors import ApiError
from certbackend.inputs import IdentityInput
from certbackend.models import Customer
from certbackend.second_factor import hash_account_password
from certpolicy.validators import birth_date_forms

DEMO_PIN = "135790"


@dataclass(frozen=True)
class DemoCustomer:
    name: str
    birth_date: str
    phone: str
    story: str
    days_to_expiry: Optional[int]  # None: no certificate
    account_password: str  # 계좌 비밀번호, distinct per customer
    locked: bool = False


DEMO_CUSTOMERS = (
    DemoCustomer("김민준", "1985-03-15", "010-1111-2222", "만료 10일 전: 지금 갱신할 수 있어요", 10, "2580"),
    DemoCustomer("이서윤", "1990-07-07", "010-2222-3333", "만료 약 2년 전: 아직 갱신 기간이 아니에요", 730, "1357"),
    DemoCustomer("박지훈", "1978-11-30", "010-3333-4444", "20일 전에 만료: 재발급이 필요해요", -20, "8642"),
    DemoCustomer("최유나", "1995-01-20", "010-4444-5555", "비밀번호 5회 오류로 잠김: 재발급이 필요해요", 400, "3691", True),
    DemoCustomer("정하늘", "2000-05-05", "010-5555-6666", "인증서 없음: 새로 발급해요", None, "7410"),
)


def demo_customers() -> List[Dict[str, Any]]:
    return [dict(asdict(c), pin=DEMO_PIN if c.days_to_expiry is not None else None) for c in DEMO_CUSTOMERS]



def seed(ctx: ServiceContext, customers: Iterable[DemoCustomer] = DEMO_CUSTOMERS) -> int:
    """Create the demo customers that do not exist yet; returns how many were created.

    The chat benchmark passes its own demo-like customers (bench/chat/customers.py).
    """
    created = 0
    for demo in customers:
        try:
            created += _seed_one(ctx, demo)
        except IntegrityError:
            pass  # another process seeded this customer at the same moment
    return created


def _seed_one(ctx: ServiceContext, demo: DemoCustomer) -> int:
    now = ctx.clock.now()
    born = date.fromisoformat(demo.birth_date)
    mobile = demo.phone.replace("-", "")
    identity_hash = ctx.hasher.identity(demo.name, born, mobile)
    password_hash = hash_account_password(ctx.key_pepper, demo.account_password)
    with ctx.db.transaction() as session:
        exists = session.execute(select(Customer.id).where(Customer.identity_hash == identity_hash)).first()
        if exists:
            # Seeded by an older version (no account password yet): give them their documented one.
            session.execute(update(Customer).where(Customer.id == exists[0], Customer.account_password_hash.is_(None))
                            .values(account_password_hash=password_hash))
            return 0
        yymmdd, mmdd = birth_date_forms(born)
        customer = Customer(identity_hash=identity_hash, display_name=demo.name,
                            birth_yymmdd_hash=ctx.hasher.digest("birth", yymmdd),
                            birth_mmdd_hash=ctx.hasher.digest("birth", mmdd), created_at=now,
                            account_password_hash=password_hash)
        session.add(customer)
        session.flush()
        if demo.days_to_expiry is not None:
            not_after = now + timedelta(days=demo.days_to_expiry)
            cert = new_certificate(ctx, customer, DEMO_PIN,
                                   add_years(not_after, -ctx.policy.validity_years), not_after)
            if demo.locked:
                cert.locked, cert.failed_pin_attempts = True, ctx.policy.pin_lock_threshold
            session.add(cert)
            session.flush()
            audit.record(session, now, "system", "demo_seeded", cert.serial_hex)
    return 1


def open_account(ctx: ServiceContext, identity: IdentityInput, password: str) -> Dict[str, Any]:
    """Demo only: the pretend bank opens an account (so a new person may be issued a certificate)."""
    now = ctx.clock.now()
    identity_hash = ctx.hasher.identity(identity.name, identity.birth_date, identity.mobile)
    password_hash = hash_account_password(ctx.key_pepper, password)
    yymmdd, mmdd = birth_date_forms(identity.birth_date)
    try:
        with ctx.db.transaction() as session:
            customer = session.execute(select(Customer).where(
                Customer.identity_hash == identity_hash)).scalar_one_or_none()
            if customer is None:
                customer = Customer(identity_hash=identity_hash, display_name=identity.name,
                                    birth_yymmdd_hash=ctx.hasher.digest("birth", yymmdd),
                                    birth_mmdd_hash=ctx.hasher.digest("birth", mmdd), created_at=now,
                                    account_password_hash=password_hash)
                session.add(customer)
                session.flush()
            elif session.execute(update(Customer).where(
                    Customer.id == customer.id, Customer.account_password_hash.is_(None)).values(
                    account_password_hash=password_hash)).rowcount != 1:
                raise _account_exists()
            audit.record(session, now, f"customer:{customer.id}", "account_opened")
    except IntegrityError:
        raise _account_exists() from None
    return {"opened": True}


def _account_exists() -> ApiError:
    return ApiError(409, "ACCOUNT_EXISTS", "이미 계좌가 있는 고객이에요. 기존 계좌 비밀번호를 써 주세요.")

"""Customers the benchmark creates: each simulated customer is a different demo-like person whose
certificate is inside the renewal window, written into the backend's database before it starts
(through the backend's own seeding code, so they are exactly like the README's demo customers)."""
from __future__ import annotations

from pathlib import Path
from typing import Dict, List

from bench.chat.scenarios import BenchCustomer

_SURNAMES = "김이박최정강조윤장임한오서신권황안송류홍"
_GIVEN = ("민서", "지우", "서준", "하은", "도윤", "예린", "시우", "수아", "주원", "지아", "건우", "채원",
          "현우", "다은", "유진", "승민", "가은", "태윤", "소율", "준호")


def bench_customers(count: int, offset: int = 0) -> List[BenchCustomer]:
    people = []
    for i in range(offset, offset + count):
        name = _SURNAMES[i % len(_SURNAMES)] + _GIVEN[(i // len(_SURNAMES)) % len(_GIVEN)]
        birth = f"{1960 + i % 40}-{1 + i % 12:02d}-{1 + i % 28:02d}"
        phone = f"010-7{i // 1000 % 10}{i // 100 % 10}{i // 10 % 10}-{5000 + i:04d}"
        people.append(BenchCustomer(name, birth, phone))
    return people


def seed_backend(data_dir: Path, customers: List[BenchCustomer], env: Dict[str, str]) -> None:
    """Write the customers (certificate expiring in 10 days, demo PIN) into the backend's database."""
    from certbackend import demo
    from certbackend.context import build_context
    from certbackend.settings import Settings

    settings = Settings.from_env({**env, "BACKEND_DATA_DIR": str(data_dir), "BACKEND_DEMO_MODE": "1"})
    ctx = build_context(settings)
    demo.seed(ctx, [demo.DemoCustomer(c.name, c.birth_date, c.phone, "benchmark", 10, "4826") for c in customers])

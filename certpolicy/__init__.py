"""Policy numbers shared by the assistant's answers and the certificate backend.

Everything reads ``policy.yml`` through :func:`load_policy` so that the number a customer
is told and the rule the backend enforces can never drift apart.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path
from typing import Dict, Union

import yaml

POLICY_FILE = Path(__file__).with_name("policy.yml")


@dataclass(frozen=True)
class Policy:
    validity_years: int
    renewal_window_days: int
    pin_length: int
    pin_lock_threshold: int
    max_devices: int
    sms_code_length: int
    sms_code_ttl_seconds: int
    sms_max_attempts: int
    token_ttl_minutes: int
    ars_digits_length: int
    account_password_length: int
    second_factor_lock_threshold: int
    verification_starts_per_identity_per_hour: int
    verification_starts_per_phone_per_hour: int
    verification_failures_per_identity_per_day: int
    idempotency_key_ttl_hours: int
    customer_center_phone: str

    @property
    def sms_code_ttl_minutes(self) -> int:
        return self.sms_code_ttl_seconds // 60

    def template_values(self) -> Dict[str, Union[int, str]]:
        """Values that response texts may name as ``{placeholder}``."""
        values: Dict[str, Union[int, str]] = {f.name: getattr(self, f.name) for f in fields(self)}
        values["sms_code_ttl_minutes"] = self.sms_code_ttl_minutes
        return values


def _flatten(raw: dict) -> dict:
    flat = {}
    for section in raw.values():
        flat.update(section)
    return flat


@lru_cache(maxsize=None)
def load_policy(path: Union[str, Path] = POLICY_FILE) -> Policy:
    with open(path, encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)
    return Policy(**_flatten(raw))

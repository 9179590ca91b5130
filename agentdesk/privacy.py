"""What the agent desk never shows: secrets (already masked by the redacting store, masked again
here), full names, phone numbers, birth dates and resident numbers. Pure functions."""
from __future__ import annotations

import re
from typing import Iterable

from redaction.rules import MASK, mask_text

_PHONE = re.compile(r"(?<!\d)(01[016789])[-\s]?(\d{3,4})[-\s]?(\d{4})(?!\d)")
# A birth date as customers type it: 19850315, 1985-03-15, 1985.3.15, 850315.
_DATE = re.compile(r"(?<!\d)(?:19|20)\d{2}[-./\s]?\d{1,2}[-./\s]?\d{1,2}(?!\d)|(?<!\d)\d{6}(?!\d)")
_LONG_DIGITS = re.compile(r"\d{4,}")


def mask_name(name: str) -> str:
    """김민준 → 김*준, 이서 → 이*, 남궁민수 → 남**수."""
    name = (name or "").strip()
    if len(name) <= 1:
        return "*" if name else ""
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_phone(text: str) -> str:
    return _PHONE.sub(lambda m: f"{m.group(1)}-****-{m.group(3)}", text)


def mask_personal(text: str, names: Iterable[str] = ()) -> str:
    """Resident numbers, phone numbers, birth dates and the given names masked."""
    text = mask_text(text or "")
    text = mask_phone(text)
    text = _DATE.sub("●●●●", text)
    for name in sorted({n.strip() for n in names if n and len(n.strip()) >= 2}, key=len, reverse=True):
        text = text.replace(name, mask_name(name))
    return text


def mask_step_answer(slot: str, text: str, names: Iterable[str] = ()) -> str:
    """A customer's answer to an identity step, shown only in masked form."""
    if slot == "customer_name":
        return mask_name(text)
    if slot == "mobile_number":
        masked = mask_phone(text)
        return masked if masked != text else _LONG_DIGITS.sub("●●●●", text)
    if slot == "birth_date":
        return "●●●●-●●-●●"
    return mask_personal(text, names)


def is_masked(text: str) -> bool:
    """True when anything in the text was masked (by the store or by this module)."""
    return "●" in (text or "") or "****" in (text or "") or "*" in (text or "")


def holds_secret_mask(text: str) -> bool:
    """A whole secret answer the redacting store replaced: nothing left to read."""
    return MASK in (text or "")

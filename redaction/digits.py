"""Runs of digits that may be a secret: one rule shared by the tracker store and the log filter.

A PIN or an SMS code is 6 digits, a resident number 13, and customers type them with spaces,
hyphens or dashes (ASCII "-", en dash "–", em dash "—", the Unicode hyphens) between groups.
Any run of 6 or more digits, whatever separators sit between them, is masked whole.
"""
from __future__ import annotations

import re

MASK = "●●●●●●"
MIN_DIGITS = 6
# Separators customers put between digit groups (not ".", ":" or "/", so addresses, times and
# ports stay readable): spaces (also no-break), ASCII hyphen, Unicode hyphens and dashes, minus.
_SEPARATOR = r"[\s\u00a0\-\u2010-\u2015\u2212\uff0d]{0,3}"
DIGIT_RUN = re.compile(rf"(?<!\d)\d(?:{_SEPARATOR}\d){{{MIN_DIGITS - 1},}}(?!\d)")
# A resident number is always masked, inside a task or not (12 digits + 1, split 6/7).
RESIDENT_NUMBER = re.compile(rf"(?<!\d)\d{{6}}{_SEPARATOR}[1-8]\d{{6}}(?!\d)")


def mask_digit_runs(text: str) -> str:
    return DIGIT_RUN.sub(MASK, text)


def mask_resident_numbers(text: str) -> str:
    return RESIDENT_NUMBER.sub(MASK, text)


def has_digit_run(text: str) -> bool:
    return bool(DIGIT_RUN.search(text))

"""The scrubbing rules for one log message. Pure functions."""
from __future__ import annotations

import re
from typing import Optional

from redaction.digits import mask_digit_runs

DROPPED = "[dropped]"

# Fields whose value is what a customer typed, or a whole request/tracker: dropped whole.
SENSITIVE_FIELDS = (
    "text", "message", "user_message", "user_text", "response_text", "json_message", "parse_data",
    "parse_data_text", "parse_data_entities", "entities", "metadata", "request_body", "body", "tracker",
    "latest_message", "tracker_latest_message", "events", "rasa_event", "rasa_events", "slots",
    "slot_values", "prefilled_slots", "slot_candidates", "value", "pin", "code", "current_pin", "new_pin",
    "new_pin_confirm", "verification_code", "account_password", "digits", "verification_token",
    "verification_id", "submission_key", "token", "idempotency_key", "api_token",
)
_FIELD = re.compile(
    r"""(?P<key>(?P<q>["']?)\b(?:""" + "|".join(SENSITIVE_FIELDS) + r""")(?P=q))(?P<sep>\s*[:=]\s*)""",
    re.IGNORECASE)
_CREDENTIAL = re.compile(
    r"""(?P<key>\b(?:Bearer|Basic)\s+|X-Verification-Token["']?\s*[:=]\s*["']?|Idempotency-Key["']?\s*[:=]\s*["']?"""
    r"""|[?&](?:token|auth_token)=)[^\s"'&,;)}\]]+""", re.IGNORECASE)
_REFERENCE = re.compile(r"secret:[0-9A-Za-z]+")
_CLOSERS = {"{": "}", "[": "]", "(": ")"}


def _value_end(text: str, start: int) -> Optional[int]:
    """Where the value that begins at ``start`` ends: a quoted string, a bracketed structure
    (nesting and quotes respected), or a bare word. None if nothing value-like starts there."""
    if start >= len(text):
        return None
    first = text[start]
    if first in "\"'":
        i = start + 1
        while i < len(text):
            if text[i] == "\\":
                i += 2
                continue
            if text[i] == first:
                return i + 1
            i += 1
        return len(text)
    if first in _CLOSERS:
        depth, i, quote = 0, start, None
        while i < len(text):
            ch = text[i]
            if quote:
                if ch == "\\":
                    i += 1
                elif ch == quote:
                    quote = None
            elif ch in "\"'":
                quote = ch
            elif ch in _CLOSERS:
                depth += 1
            elif ch in _CLOSERS.values():
                depth -= 1
                if depth == 0:
                    return i + 1
            i += 1
        return len(text)
    match = re.compile(r"[^\s,;)}\]]*").match(text, start)
    return match.end() if match and match.end() > start else None


def _drop_fields(text: str) -> str:
    out, position = [], 0
    while True:
        match = _FIELD.search(text, position)
        if match is None:
            break
        end = _value_end(text, match.end())
        if end is None or text[match.end():end] in ("None", "null", "''", '""'):
            out.append(text[position:match.end()])
            position = match.end()
            continue
        out.append(text[position:match.end()] + DROPPED)
        position = end
    out.append(text[position:])
    return "".join(out)


def scrub(text: str) -> str:
    """One log message without message text, request bodies, credentials or digit runs."""
    if not text:
        return text
    text = _drop_fields(text)
    text = _CREDENTIAL.sub(lambda m: m.group("key") + DROPPED, text)
    text = _REFERENCE.sub("secret:" + DROPPED, text)
    return mask_digit_runs(text)

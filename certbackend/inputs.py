"""Request-body validation: every bad field becomes a 400 VALIDATION with a Korean message."""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any, Mapping, Optional

from certbackend.errors import ApiError, validation
from certpolicy.validators import normalize_mobile, normalize_name, parse_birth_date

MAX_DEVICE_NAME = 40
MAX_CHALLENGE = 1024



@dataclass(frozen=True)
class IdentityInput:
    name: str
    birth_date: date
    mobile: str


def require_object(body: Any) -> Mapping[str, Any]:
    if not isinstance(body, dict):
        raise ApiError(400, "VALIDATION", "요청 본문은 JSON 객체여야 해요.", field="body")
    return body


def text_field(body: Mapping[str, Any], field: str, max_length: int = 200) -> str:
    value = body.get(field)
    if not isinstance(value, str) or not value.strip():
        raise validation(f"'{field}' 값이 필요해요.", field)
    if len(value) > max_length:
        raise validation(f"'{field}' 값이 너무 길어요.", field)
    return value.strip()


def optional_text(body: Mapping[str, Any], field: str, max_length: int = 200) -> Optional[str]:
    return text_field(body, field, max_length) if body.get(field) is not None else None


def identity(body: Mapping[str, Any], today: date) -> IdentityInput:
    name = normalize_name(text_field(body, "name", 40))
    if name is None:
        raise validation("이름은 한글 2~5자 또는 영문으로 입력해 주세요.", "name")
    born = parse_birth_date(text_field(body, "birth_date", 20), today)
    if born is None:
        raise validation("생년월일을 확인해 주세요. 예: 1990-01-01", "birth_date")
    mobile = normalize_mobile(text_field(body, "phone", 20))
    if mobile is None:
        raise validation("휴대폰 번호를 확인해 주세요. 예: 010-1234-5678", "phone")
    return IdentityInput(name=name, birth_date=born, mobile=mobile)


def pin_field(body: Mapping[str, Any], field: str, length: int) -> str:
    """A PIN as sent by a client: exactly ``length`` ASCII digits (the chat strips separators)."""
    value = body.get(field)
    if not isinstance(value, str) or len(value) != length or not (value.isascii() and value.isdigit()):
        raise validation(f"비밀번호는 숫자 {length}자리로 보내 주세요.", field)
    return value


def code_field(body: Mapping[str, Any]) -> Optional[str]:
    """The SMS code; absent for ARS (the phone confirms, the caller only asks)."""
    value = body.get("code")
    if value is None:
        return None
    if not isinstance(value, str) or not (1 <= len(value) <= 10) or not (value.isascii() and value.isdigit()):
        raise validation("인증번호는 숫자로 보내 주세요.", "code")
    return value


def digits_field(body: Mapping[str, Any], length: int) -> str:
    value = body.get("digits")
    if not isinstance(value, str) or len(value) != length or not (value.isascii() and value.isdigit()):
        raise validation(f"숫자 {length}자리를 눌러 주세요.", "digits")
    return value


def account_password(body: Mapping[str, Any], length: int) -> str:
    value = body.get("account_password")
    if not isinstance(value, str) or len(value) != length or not (value.isascii() and value.isdigit()):
        raise validation(f"계좌 비밀번호는 숫자 {length}자리로 보내 주세요.", "account_password")
    return value


def channel_ref(value: Any, required: bool = False) -> Optional[str]:
    """The opaque conversation reference (certpolicy.channel_ref): 32 lowercase hex characters."""
    if value is None and not required:
        return None
    if not isinstance(value, str) or len(value) != 32 or any(ch not in "0123456789abcdef" for ch in value):
        raise validation("channel_ref 형식이 올바르지 않아요.", "channel_ref")
    return value


def opaque_id(value: str, field: str) -> str:
    """A server-made hex id in a path (verification, call)."""
    if not (1 <= len(value) <= 64) or any(ch not in "0123456789abcdef" for ch in value):
        raise validation("번호 형식이 올바르지 않아요.", field)
    return value


def device_name(body: Mapping[str, Any]) -> str:
    name = " ".join(text_field(body, "name", 200).split())
    if len(name) > MAX_DEVICE_NAME:
        raise validation(f"기기 이름은 {MAX_DEVICE_NAME}자 이내로 정해 주세요.", "name")
    if any(unicodedata.category(ch).startswith("C") for ch in name):
        raise validation("기기 이름에 쓸 수 없는 문자가 있어요.", "name")
    return name


def challenge(body: Mapping[str, Any]) -> str:
    return text_field(body, "challenge", MAX_CHALLENGE)


def idempotency_key(raw: Optional[str]) -> Optional[str]:
    if raw is None:
        return None
    key = raw.strip()
    if not (1 <= len(key) <= 128) or not key.isascii() or not key.isprintable():
        raise ApiError(400, "VALIDATION", "Idempotency-Key 헤더 값이 올바르지 않아요.", field="Idempotency-Key")
    return key

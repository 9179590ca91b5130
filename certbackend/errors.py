"""Errors with a stable machine code, an HTTP status and a Korean message the assistant can show."""
from __future__ import annotations

from typing import Any, Dict


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, **details: Any) -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        self.message = message
        self.details = details

    def to_json(self) -> Dict[str, Any]:
        body: Dict[str, Any] = {"error": {"code": self.code, "message": self.message}}
        body["error"].update(self.details)
        return body


def validation(message: str, field: str) -> ApiError:
    return ApiError(400, "VALIDATION", message, field=field)


def not_found(message: str = "요청하신 정보를 찾을 수 없어요.") -> ApiError:
    return ApiError(404, "NOT_FOUND", message)


def unauthorized() -> ApiError:
    return ApiError(401, "UNAUTHORIZED", "인증 정보가 없거나 올바르지 않아요.")


def verification_required() -> ApiError:
    return ApiError(401, "VERIFICATION_REQUIRED", "본인 확인이 필요해요. 본인 확인을 먼저 진행해 주세요.")


def verification_expired() -> ApiError:
    return ApiError(401, "VERIFICATION_EXPIRED", "본인 확인 시간이 지났어요. 본인 확인을 다시 진행해 주세요.")


def too_many_requests(retry_after_seconds: int) -> ApiError:
    minutes = max(1, -(-retry_after_seconds // 60))
    wait = f"{minutes // 60}시간" if minutes >= 60 and minutes % 60 == 0 else (
        f"약 {round(minutes / 60)}시간" if minutes >= 60 else f"{minutes}분")
    return ApiError(429, "TOO_MANY_REQUESTS",
                    f"본인 확인 요청이 너무 많아요. 안전을 위해 {wait} 뒤에 다시 시도해 주세요.",
                    retry_after_seconds=retry_after_seconds)

"""HTTP API (Sanic 21.12, already in Rasa's dependency tree): routing, auth and error shape.

Handlers only parse input and call the service modules; blocking work (database, scrypt,
key generation) runs in the default thread pool so one slow request never stalls the loop.
"""
from __future__ import annotations

import functools
import hmac
import logging

from sanic import Sanic, response
from sanic.exceptions import SanicException
from sanic.request import Request

from certbackend import certificates, devices, inputs, second_factor, verification
from certbackend.idempotency import run_once
from certbackend.context import ServiceContext
from certbackend.demo_routes import add_demo_routes
from certbackend.errors import ApiError, unauthorized, validation
from certbackend.openapi import build_document
from certbackend.request_io import in_pin_thread, in_thread, json_body
from certbackend.system_routes import add_system_routes

logger = logging.getLogger("certbackend")
PUBLIC_PATHS = ("/health", "/openapi.json", "/v1/ca/")
PHONE_PATHS = "/demo/phone/"
MAX_BODY_BYTES = 16 * 1024



def serial_param(serial: str) -> str:
    if not (1 <= len(serial) <= 64) or any(ch not in "0123456789abcdefABCDEF" for ch in serial):
        raise validation("인증서 일련번호 형식이 올바르지 않아요.", "serial")
    return serial.lower()


async def customer_of(ctx: ServiceContext, request: Request) -> int:
    return (await token_of(ctx, request)).customer_id


async def token_of(ctx: ServiceContext, request: Request) -> verification.TokenInfo:
    return await in_thread(verification.token_info, ctx, request.headers.get("x-verification-token", ""))


def _bearer_matches(request: Request, expected: str) -> bool:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return bool(expected) and scheme.lower() == "bearer" and hmac.compare_digest(
        token.strip().encode("utf-8"), expected.encode("utf-8"))


def _send(result) -> response.HTTPResponse:
    status, body = result
    return response.json(body, status=status, ensure_ascii=False)


def create_app(ctx: ServiceContext, name: str = "certbackend") -> Sanic:
    app = Sanic(name)
    app.config.REQUEST_MAX_SIZE = MAX_BODY_BYTES
    app.config.FALLBACK_ERROR_FORMAT = "json"
    app.ctx.service = ctx
    openapi_document = build_document(ctx.settings.demo_mode)
    policy = ctx.policy

    @app.middleware("request")
    async def require_credential(request: Request):
        """Two credentials, two worlds: the phone token opens only /demo/phone/*, the channel
        token (the action server's) everything else, never the phone side."""
        if request.path.startswith(PUBLIC_PATHS) and request.method in ("GET", "HEAD"):
            return None
        expected = ctx.settings.phone_token if request.path.startswith(PHONE_PATHS) else ctx.settings.api_token
        if not _bearer_matches(request, expected):
            return response.json(unauthorized().to_json(), status=401, ensure_ascii=False)
        return None

    @app.exception(ApiError)
    async def api_error(request: Request, error: ApiError):
        return response.json(error.to_json(), status=error.status, ensure_ascii=False)

    @app.exception(SanicException)
    async def framework_error(request: Request, error: SanicException):
        status = getattr(error, "status_code", 400) or 400
        codes = {404: ("NOT_FOUND", "요청하신 주소를 찾을 수 없어요."),
                 405: ("METHOD_NOT_ALLOWED", "지원하지 않는 요청 방식이에요."),
                 413: ("PAYLOAD_TOO_LARGE", "요청이 너무 커요.")}
        code, message = codes.get(status, ("VALIDATION", "요청을 처리할 수 없어요. 입력을 확인해 주세요."))
        if status >= 500:
            code, message, status = "INTERNAL", "일시적인 오류가 발생했어요. 잠시 후 다시 시도해 주세요.", 500
        return response.json(ApiError(status, code, message).to_json(), status=status, ensure_ascii=False)

    @app.exception(Exception)
    async def unexpected(request: Request, error: Exception):
        logger.exception("Unhandled error on %s %s", request.method, request.path)
        body = ApiError(500, "INTERNAL", "일시적인 오류가 발생했어요. 잠시 후 다시 시도해 주세요.").to_json()
        return response.json(body, status=500, ensure_ascii=False)

    @app.get("/openapi.json")
    async def openapi(request: Request):
        return response.json(openapi_document, ensure_ascii=False)

    @app.post("/v1/verifications")
    async def start_verification(request: Request):
        body = json_body(request)
        method = body.get("method")
        if method not in verification.METHODS:
            raise validation("본인 확인 방법은 sms, ars, branch 중 하나예요.", "method")
        identity = None if method == "branch" else inputs.identity(body, ctx.clock.today_kst())
        reference = inputs.channel_ref(body.get("channel_ref"))
        result = await in_thread(verification.start, ctx, method, identity, reference)
        return response.json(result, status=200 if method == "branch" else 201, ensure_ascii=False)

    @app.post("/v1/verifications/<verification_id:str>/confirm")
    async def confirm_verification(request: Request, verification_id: str):
        code = inputs.code_field(json_body(request))
        if len(verification_id) > 64:
            raise validation("본인 확인 번호가 올바르지 않아요.", "verification_id")
        return response.json(await in_thread(verification.confirm, ctx, verification_id, code),
                             ensure_ascii=False)

    @app.post("/v1/second-factor")
    async def check_second_factor(request: Request):
        password = inputs.account_password(json_body(request), policy.account_password_length)
        info = await token_of(ctx, request)
        return response.json(await in_pin_thread(second_factor.verify, ctx, info, password), ensure_ascii=False)

    @app.get("/v1/certificates")
    async def certificate_status(request: Request):
        token = request.headers.get("x-verification-token", "")
        return response.json(await in_thread(certificates.status_for_token, ctx, token), ensure_ascii=False)

    @app.post("/v1/certificates")
    async def issue(request: Request):
        body = json_body(request)
        pin = inputs.pin_field(body, "pin", policy.pin_length)
        key = inputs.idempotency_key(request.headers.get("idempotency-key"))
        info = await token_of(ctx, request)
        operation = functools.partial(certificates.issue, ctx, info, pin)
        reverify = functools.partial(certificates.reverify_pin, ctx, info.customer_id, pin)
        return _send(await in_pin_thread(run_once, ctx, f"issue:{info.customer_id}", key, {}, operation, reverify))

    @app.post("/v1/certificates/<serial:str>/renew")
    async def renew(request: Request, serial: str):
        serial, body = serial_param(serial), json_body(request)
        pin = inputs.pin_field(body, "pin", policy.pin_length)
        key = inputs.idempotency_key(request.headers.get("idempotency-key"))
        info = await token_of(ctx, request)
        operation = functools.partial(certificates.renew, ctx, info, serial, pin)
        reverify = functools.partial(certificates.reverify_pin, ctx, info.customer_id, pin)
        return _send(await in_pin_thread(run_once, ctx, f"renew:{info.customer_id}:{serial}", key,
                                     {"serial": serial}, operation, reverify))

    @app.post("/v1/certificates/<serial:str>/pin")
    async def change_pin(request: Request, serial: str):
        serial, body = serial_param(serial), json_body(request)
        current = inputs.pin_field(body, "current_pin", policy.pin_length)
        new = inputs.pin_field(body, "new_pin", policy.pin_length)
        customer_id = await customer_of(ctx, request)
        return _send(await in_pin_thread(certificates.change_pin, ctx, customer_id, serial, current, new))

    @app.post("/v1/certificates/<serial:str>/revoke")
    async def revoke(request: Request, serial: str):
        serial, body = serial_param(serial), json_body(request)
        pin = inputs.pin_field(body, "pin", policy.pin_length)
        customer_id = await customer_of(ctx, request)
        return _send(await in_pin_thread(certificates.revoke, ctx, customer_id, serial, pin))

    @app.post("/v1/certificates/<serial:str>/sign")
    async def sign(request: Request, serial: str):
        serial, body = serial_param(serial), json_body(request)
        pin = inputs.pin_field(body, "pin", policy.pin_length)
        challenge = inputs.challenge(body)
        customer_id = await customer_of(ctx, request)
        return _send(await in_pin_thread(certificates.sign, ctx, customer_id, serial, pin, challenge))

    @app.get("/v1/certificates/<serial:str>/devices")
    async def list_devices(request: Request, serial: str):
        serial = serial_param(serial)
        customer_id = await customer_of(ctx, request)
        return response.json(await in_thread(devices.list_devices, ctx, customer_id, serial), ensure_ascii=False)

    @app.post("/v1/certificates/<serial:str>/devices")
    async def connect_device(request: Request, serial: str):
        serial, body = serial_param(serial), json_body(request)
        pin = inputs.pin_field(body, "pin", policy.pin_length)
        name = inputs.device_name(body)
        customer_id = await customer_of(ctx, request)
        return _send(await in_pin_thread(devices.connect, ctx, customer_id, serial, pin, name))

    @app.delete("/v1/certificates/<serial:str>/devices/<device_id:str>")
    async def disconnect_device(request: Request, serial: str, device_id: str):
        serial = serial_param(serial)
        if not (device_id.isascii() and device_id.isdigit() and len(device_id) <= 12):
            raise validation("기기 번호가 올바르지 않아요.", "device_id")
        customer_id = await customer_of(ctx, request)
        return _send(await in_thread(devices.disconnect, ctx, customer_id, serial, int(device_id)))

    add_system_routes(app, ctx, in_thread)
    if ctx.settings.demo_mode:
        add_demo_routes(app, ctx)
    return app

"""The OpenAPI 3.0 document the service serves at /openapi.json (also drives the fuzz test)."""
from __future__ import annotations

from typing import Any, Dict

_SERIAL = {"name": "serial", "in": "path", "required": True,
           "schema": {"type": "string", "pattern": "^[0-9a-f]{1,64}$"}}
_VERIFICATION = {"name": "X-Verification-Token", "in": "header", "required": True,
                 "schema": {"type": "string"}, "description": "Token from a confirmed verification"}
_IDEMPOTENCY = {"name": "Idempotency-Key", "in": "header", "required": False,
                "schema": {"type": "string", "maxLength": 128}}
_PIN = {"type": "string", "pattern": "^[0-9]{6}$"}
_CHANNEL_REF = {"type": "string", "pattern": "^[0-9a-f]{32}$"}
_IDENTITY = {"name": {"type": "string"}, "birth_date": {"type": "string"}, "phone": {"type": "string"}}
_PHONE_ONLY = [{"phone": []}]


def _body(properties: Dict[str, Any], required) -> Dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": {
        "type": "object", "properties": properties, "required": list(required)}}}}


def _responses(*codes: int) -> Dict[str, Any]:
    described = {200: "OK", 201: "Created", 400: "Invalid input", 401: "Not authenticated or not verified",
                 403: "Wrong PIN, second factor required or not a bank customer", 404: "Not found",
                 409: "Not allowed in the current state (or ARS not keyed yet)",
                 422: "Idempotency key reused", 423: "Second factor locked",
                 429: "Quota reached: too many verifications or failures"}
    return {str(c): {"description": described[c], "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/Error" if c >= 400 else "#/components/schemas/Any"}}}}
        for c in codes}


def _op(summary: str, params=(), body=None, codes=(200, 400, 401, 404)) -> Dict[str, Any]:
    op: Dict[str, Any] = {"summary": summary, "parameters": list(params), "responses": _responses(*codes)}
    if body:
        op["requestBody"] = body
    return op


def build_document(demo_mode: bool) -> Dict[str, Any]:
    pin_body = _body({"pin": _PIN}, ["pin"])
    paths: Dict[str, Any] = {
        "/health": {"get": {"summary": "Liveness", "security": [], "responses": _responses(200)}},
        "/v1/ca/certificates": {"get": {"summary": "Root and issuing CA certificates (PEM)",
                                        "security": [], "responses": _responses(200)}},
        "/v1/ca/crl": {"get": {"summary": "Signed X.509 CRL (DER, or PEM with format=pem)", "security": [],
                               "parameters": [{"name": "format", "in": "query", "required": False,
                                               "schema": {"type": "string", "enum": ["der", "pem"]}}],
                               "responses": {"200": {"description": "CRL"},
                                             "400": _responses(400)["400"]}}},
        "/v1/verifications": {"post": _op("Start identity verification (sms, ars, branch)", body=_body({
            "method": {"type": "string", "enum": ["sms", "ars", "branch"]}, **_IDENTITY,
            "channel_ref": _CHANNEL_REF}, ["method"]), codes=(200, 201, 400, 401, 429))},
        "/v1/verifications/{verification_id}/confirm": {"post": _op(
            "Confirm: sms with the code; ars with {} once the phone keyed the digits (409 ARS_PENDING before)",
            params=[{"name": "verification_id", "in": "path", "required": True, "schema": {"type": "string"}}],
            body=_body({"code": {"type": "string"}}, []), codes=(200, 400, 401, 404, 409, 429))},
        "/v1/second-factor": {"post": _op(
            "Check the account password (second factor for issuance); marks the verification token",
            params=[_VERIFICATION],
            body=_body({"account_password": {"type": "string", "pattern": "^[0-9]{4}$"}}, ["account_password"]),
            codes=(200, 400, 401, 403, 423))},
        "/v1/certificates": {
            "get": _op("The verified customer's certificates", params=[_VERIFICATION]),
            "post": _op("Issue (or reissue) a certificate; needs the second factor on the token",
                        params=[_VERIFICATION, _IDEMPOTENCY], body=pin_body,
                        codes=(201, 400, 401, 403, 404, 409, 422, 423))},
        "/v1/certificates/{serial}/renew": {"post": _op(
            "Renew inside the renewal window", params=[_SERIAL, _VERIFICATION, _IDEMPOTENCY], body=pin_body,
            codes=(201, 400, 401, 403, 404, 409, 422))},
        "/v1/certificates/{serial}/pin": {"post": _op(
            "Change the PIN", params=[_SERIAL, _VERIFICATION],
            body=_body({"current_pin": _PIN, "new_pin": _PIN}, ["current_pin", "new_pin"]),
            codes=(200, 400, 401, 403, 404, 409))},
        "/v1/certificates/{serial}/revoke": {"post": _op(
            "Revoke", params=[_SERIAL, _VERIFICATION], body=pin_body, codes=(200, 400, 401, 403, 404, 409))},
        "/v1/certificates/{serial}/sign": {"post": _op(
            "Sign a challenge with the certificate's key", params=[_SERIAL, _VERIFICATION],
            body=_body({"pin": _PIN, "challenge": {"type": "string", "maxLength": 1024}}, ["pin", "challenge"]),
            codes=(200, 400, 401, 403, 404, 409))},
        "/v1/certificates/{serial}/devices": {
            "get": _op("Connected devices", params=[_SERIAL, _VERIFICATION]),
            "post": _op("Connect a device", params=[_SERIAL, _VERIFICATION],
                        body=_body({"pin": _PIN, "name": {"type": "string", "maxLength": 40}}, ["pin", "name"]),
                        codes=(201, 400, 401, 403, 404, 409)),
        },
        "/v1/certificates/{serial}/devices/{device_id}": {"delete": _op(
            "Disconnect a device", params=[_SERIAL, _VERIFICATION, {
                "name": "device_id", "in": "path", "required": True, "schema": {"type": "integer"}}])},
        "/v1/audit": {"get": _op("Recent audit events (newest first)", params=[{
            "name": "limit", "in": "query", "required": False,
            "schema": {"type": "integer", "minimum": 1, "maximum": 500}}], codes=(200, 400, 401))},
    }
    if demo_mode:
        paths["/demo/phone/inbox"] = {"get": {**_op(
            "Demo only, phone token: the pretend phone's messages for one conversation", params=[{
                "name": "channel_ref", "in": "query", "required": True, "schema": _CHANNEL_REF}],
            codes=(200, 400, 401)), "security": _PHONE_ONLY}}
        paths["/demo/phone/calls/{call_id}/keys"] = {"post": {**_op(
            "Demo only, phone token: key the ARS digits on the call", params=[{
                "name": "call_id", "in": "path", "required": True, "schema": {"type": "string"}}],
            body=_body({"digits": {"type": "string"}}, ["digits"]), codes=(200, 400, 401, 404, 429)),
            "security": _PHONE_ONLY}}
        paths["/demo/customers"] = {"get": _op("Demo only: the seeded customers", codes=(200, 401))}
        paths["/demo/accounts"] = {"post": _op(
            "Demo only: open a bank account (so a new person can be issued a certificate)",
            body=_body({**_IDENTITY, "account_password": {"type": "string"}},
                       ["name", "birth_date", "phone", "account_password"]), codes=(201, 400, 401, 409))}
        paths["/demo/clock"] = {"post": _op("Demo only: move the service clock", body=_body(
            {"offset_days": {"type": "number", "minimum": -3650, "maximum": 36500}}, ["offset_days"]),
            codes=(200, 400, 401))}
    return {
        "openapi": "3.0.3",
        "info": {"title": "금융인증서 mock certificate backend", "version": "1.0.0"},
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "BACKEND_TOKEN: the channel credential"},
                                "phone": {"type": "http", "scheme": "bearer",
                                          "description": "BACKEND_PHONE_TOKEN: the demo phone side only"}},
            "schemas": {
                "Any": {"type": "object"},
                "Error": {"type": "object", "required": ["error"], "properties": {"error": {
                    "type": "object", "required": ["code", "message"],
                    "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}}},
            },
        },
        "paths": paths,
    }

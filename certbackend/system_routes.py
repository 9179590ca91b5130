"""Routes about the service itself: health, the CA certificates, the CRL and the audit log."""
from __future__ import annotations

import json

from cryptography.hazmat.primitives import serialization
from sanic import Sanic, response
from sanic.request import Request
from sqlalchemy import select

from certbackend.context import ServiceContext
from certbackend.errors import validation
from certbackend.models import AuditEvent


def recent_audit(ctx: ServiceContext, limit: int):
    with ctx.db.transaction() as session:
        rows = session.execute(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)).scalars().all()
        return [{"id": r.id, "at": r.at.isoformat(), "actor": r.actor, "action": r.action,
                 "serial": r.serial_hex, "detail": json.loads(r.detail) if r.detail else {}} for r in rows]


def add_system_routes(app: Sanic, ctx: ServiceContext, in_thread) -> None:
    @app.get("/health")
    async def health(request: Request):
        return response.json({"status": "ok", "demo_mode": ctx.settings.demo_mode})

    @app.get("/v1/ca/certificates")
    async def ca_certificates(request: Request):
        pem = serialization.Encoding.PEM
        return response.json({"root_pem": ctx.ca.root.public_bytes(pem).decode("ascii"),
                              "issuing_pem": ctx.ca.certificate.public_bytes(pem).decode("ascii")})

    @app.get("/v1/ca/crl")
    async def crl(request: Request):
        wanted = request.args.get("format", "der")
        if wanted not in ("der", "pem"):
            raise validation("format은 der 또는 pem이에요.", "format")
        revocation_list = await in_thread(ctx.crl.current)
        if wanted == "pem":
            return response.text(revocation_list.public_bytes(serialization.Encoding.PEM).decode("ascii"),
                                 content_type="application/x-pem-file")
        return response.raw(revocation_list.public_bytes(serialization.Encoding.DER),
                            content_type="application/pkix-crl")

    @app.get("/v1/audit")
    async def audit_log(request: Request):
        raw = request.args.get("limit", "100")
        if not (raw.isascii() and raw.isdigit() and 1 <= int(raw) <= 500):
            raise validation("limit은 1~500 사이의 숫자예요.", "limit")
        return response.json({"events": await in_thread(recent_audit, ctx, int(raw))}, ensure_ascii=False)

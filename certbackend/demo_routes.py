"""Demo-only routes (absent outside demo mode).

Channel side (the operator's / action server's token): the demo customers, opening a demo bank
account for a new person, and the movable clock. Phone side (the phone token, which only the web
front holds): the pretend phone's inbox for one conversation and keying digits on an ARS call.
"""
from __future__ import annotations

from sanic import Sanic, response
from sanic.request import Request

from certbackend import inputs, verification
from certbackend.context import ServiceContext
from certbackend.demo import demo_customers, open_account
from certbackend.errors import validation
from certbackend.request_io import in_pin_thread, in_thread, json_body


MIN_OFFSET_DAYS, MAX_OFFSET_DAYS = -3650, 36500



def add_demo_routes(app: Sanic, ctx: ServiceContext) -> None:
    @app.get("/demo/phone/inbox")
    async def phone_inbox(request: Request):
        reference = inputs.channel_ref(request.args.get("channel_ref"), required=True)
        return response.json({"messages": await in_thread(ctx.phone.inbox, reference)}, ensure_ascii=False)

    @app.post("/demo/phone/calls/<call_id:str>/keys")
    async def key_digits(request: Request, call_id: str):
        call_id = inputs.opaque_id(call_id, "call_id")
        digits = inputs.digits_field(json_body(request), ctx.policy.ars_digits_length)
        return response.json(await in_thread(verification.key_digits, ctx, call_id, digits),
                             ensure_ascii=False)

    @app.get("/demo/customers")
    async def customers(request: Request):
        return response.json({"customers": demo_customers()}, ensure_ascii=False)

    @app.post("/demo/accounts")
    async def accounts(request: Request):
        body = json_body(request)
        identity = inputs.identity(body, ctx.clock.today_kst())
        password = inputs.account_password(body, ctx.policy.account_password_length)
        return response.json(await in_pin_thread(open_account, ctx, identity, password), status=201,
                             ensure_ascii=False)

    @app.post("/demo/clock")
    async def move_clock(request: Request):
        body = json_body(request)
        days = body.get("offset_days")
        # At most 10 years back: a clock before 1970 would make the CRL's number and dates invalid
        # (found by schemathesis: GET /v1/ca/crl answered 500 after the clock moved 100 years back).
        if isinstance(days, bool) or not isinstance(days, (int, float)) or not MIN_OFFSET_DAYS <= days <= MAX_OFFSET_DAYS:
            raise validation(f"offset_days는 {MIN_OFFSET_DAYS}~{MAX_OFFSET_DAYS} 사이의 숫자예요.", "offset_days")
        ctx.clock.set_offset_days(float(days))
        return response.json({"offset_days": ctx.clock.offset_days, "now": ctx.clock.now().isoformat()})

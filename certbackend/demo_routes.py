"""Demo-only routes (absent outside demo mode): the pretend phone's inbox, the demo
customers and the movable clock."""
from __future__ import annotations

from sanic import Sanic, response
from sanic.exceptions import SanicException
from sanic.request import Request

from certbackend.context import ServiceContext
from certbackend.demo import demo_customers
from certbackend.errors import ApiError, validation


def add_demo_routes(app: Sanic, ctx: ServiceContext) -> None:
    @app.get("/demo/sms-inbox")
    async def sms_inbox(request: Request):
        return response.json({"messages": ctx.inbox.recent()}, ensure_ascii=False)

    @app.get("/demo/customers")
    async def customers(request: Request):
        return response.json({"customers": demo_customers()}, ensure_ascii=False)

    @app.post("/demo/clock")
    async def move_clock(request: Request):
        try:
            body = request.json
        except SanicException:
            raise ApiError(400, "VALIDATION", "요청 본문이 올바른 JSON이 아니에요.", field="body") from None
        days = body.get("offset_days") if isinstance(body, dict) else None
        if isinstance(days, bool) or not isinstance(days, (int, float)) or not -36500 <= days <= 36500:
            raise validation("offset_days는 -36500~36500 사이의 숫자예요.", "offset_days")
        ctx.clock.set_offset_days(float(days))
        return response.json({"offset_days": ctx.clock.offset_days, "now": ctx.clock.now().isoformat()})

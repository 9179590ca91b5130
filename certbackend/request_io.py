"""What every route module needs from a request: its JSON object body, and blocking work run off the
event loop (database, scrypt, key generation) so one slow request never stalls the others."""
from __future__ import annotations

import asyncio
import functools
from typing import Any, Callable

from sanic.exceptions import SanicException
from sanic.request import Request

from certbackend import inputs
from certbackend.errors import ApiError


async def in_thread(function: Callable, *args: Any) -> Any:
    return await asyncio.get_running_loop().run_in_executor(None, functools.partial(function, *args))


def json_body(request: Request):
    try:
        body = request.json
    except SanicException:
        raise ApiError(400, "VALIDATION", "요청 본문이 올바른 JSON이 아니에요.", field="body") from None
    return inputs.require_object(body)
